/**
 * What the benchmarks share on the command line: commander (the parser the `eran` CLI uses, so a
 * bench gets --help and a clear error on an unknown option) with the number parsers they need,
 * the loose flag map of the experiment benches, and the line they print results with.
 */
import { Command, InvalidArgumentError } from 'commander';

/** One result line on stdout (progress and logs go to stderr). */
export const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** A command for one bench; parse it with `.parse(process.argv).opts<...>()`. */
export function benchCommand(name: string, description: string): Command {
  return new Command(name).description(description).allowExcessArguments(false);
}

export function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${raw}"`);
  return n;
}

export function positiveNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${raw}"`);
  return n;
}

export function finiteNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${raw}"`);
  return n;
}

/**
 * `--key value` and bare `--flag` pairs, unvalidated: the experiment benches (train, candidates,
 * ease) take open-ended model knobs that change with each experiment, where declaring every one
 * would cost more than it catches.
 */
export type FlagMap = ReadonlyMap<string, string | true>;

export function flagMap(argv: readonly string[]): FlagMap {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!;
    if (!key.startsWith('--')) throw new Error(`expected an option starting with --, got ${key}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(key.slice(2), true);
    else {
      flags.set(key.slice(2), next);
      i++;
    }
  }
  return flags;
}

/** The value of `--key`, or undefined when absent or given without a value. */
export function flagString(flags: FlagMap, key: string): string | undefined {
  const v = flags.get(key);
  return typeof v === 'string' ? v : undefined;
}

export function flagNumber(flags: FlagMap, key: string, fallback: number): number {
  const v = flags.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n)) throw new Error(`--${key}: expected a number, got ${String(v)}`);
  return n;
}
