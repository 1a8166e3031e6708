/**
 * npm run bench:scale -- [--sizes 6k,25k,100k] [--seed 42] [--train-minutes <per size>] [--serve-seconds 30]
 *                        [--rate 200] [--out reports/scale] [--backend auto|wasm|node]
 *
 * The whole loop at catalogue scale, one size after the other, on synthetic worlds with planted
 * tastes (`scaledWorldOptions`: users = items / 2, ~100 purchases per user):
 *
 *   6k    6,000 items, 3,000 users, imported WITHOUT the top-M cap: a dense genre network (the
 *         worst case a real movie catalogue gave: ~10% of all item pairs linked by genre)
 *   25k   25,000 items, 12,500 users, default caps
 *   100k  100,000 items, 50,000 users (~5M purchases), default caps
 *
 * Each size REPLACES what the benchmark's own Neo4j holds. That server is started here through
 * scripts/neo4j.sh with its own data folder and ports (.neo4j-bench, bolt 7689, http 7480; override
 * with NEO4J_DATA_DIR, NEO4J_BOLT_PORT, NEO4J_HTTP_PORT; NEO4J_HEAP defaults to 2g) and left running.
 * Every phase runs in its own child process, so that its peak RSS is its own:
 *
 *   import   bench/import.bench.ts (generate + import: seconds, peak RSS of node, Neo4j and both)
 *   train    `eran train --json` with its defaults and a wall budget (--train-minutes; defaults 10 / 45 / 45):
 *            seconds per epoch, epochs and minutes to the best validation, peak RSS (VmHWM)
 *   serve    bench/serve.bench.ts: `eran serve` on the new checkpoint, recommend with explanations
 *            at --rate requests per second (open loop) and closed loop, cold and warm users
 *   quality  bench/scale-quality.ts: candidate recall@10 against exact scoring, planted-driver
 *            recovery by attention
 *
 * Writes <out>/<size>/*.json and <out>/scale.{json,md}, and prints the table.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrainReport } from '../src/training/train-report';
import { benchCommand, log, positiveNumber } from './args';

interface SizeSpec {
  readonly name: string;
  readonly items: number;
  readonly users: number;
  readonly uncapped: boolean;
  readonly trainMinutes: number;
}

const SIZES: readonly SizeSpec[] = [
  { name: '6k', items: 6000, users: 3000, uncapped: true, trainMinutes: 10 },
  { name: '25k', items: 25_000, users: 12_500, uncapped: false, trainMinutes: 45 },
  { name: '100k', items: 100_000, users: 50_000, uncapped: false, trainMinutes: 45 },
];

const ROOT = resolve(__dirname, '..');

interface Options {
  readonly sizes: readonly SizeSpec[];
  readonly seed: number;
  readonly trainMinutes: number | null;
  readonly serveSeconds: number;
  readonly rate: number;
  readonly out: string;
  readonly backend: string | null;
}

function parseArgs(argv: readonly string[]): Options {
  const o = benchCommand('bench:scale', 'the whole loop (import, train, serve, quality) at catalogue scale on synthetic worlds')
    .option('--sizes <list>', `comma-separated, of ${SIZES.map((s) => s.name).join(', ')}`, SIZES.map((s) => s.name).join(','))
    .option('--seed <n>', 'seed of the synthetic worlds', positiveNumber, 42)
    .option('--train-minutes <n>', `wall budget of each training (default per size: ${SIZES.map((s) => s.trainMinutes).join(' / ')})`, positiveNumber)
    .option('--serve-seconds <n>', 'duration of each serving phase', positiveNumber, 30)
    .option('--rate <n>', 'requests per second of the open-loop serving phase', positiveNumber, 200)
    .option('--out <dir>', 'report folder', join(ROOT, 'reports', 'scale'))
    .option('--backend <name>', 'tfjs backend (default: auto)')
    .parse(argv)
    .opts<{ sizes: string; seed: number; trainMinutes?: number; serveSeconds: number; rate: number; out: string; backend?: string }>();
  const sizes = o.sizes.split(',').map((name) => {
    const spec = SIZES.find((s) => s.name === name.trim());
    if (spec === undefined) throw new Error(`--sizes: unknown size ${name.trim()} (known: ${SIZES.map((s) => s.name).join(', ')})`);
    return spec;
  });
  return {
    sizes,
    seed: o.seed,
    trainMinutes: o.trainMinutes ?? null,
    serveSeconds: o.serveSeconds,
    rate: o.rate,
    out: resolve(o.out),
    backend: o.backend ?? null,
  };
}

interface ChildRun {
  readonly code: number;
  readonly seconds: number;
  /** Peak resident set of the child (VmHWM, sampled until it exits). */
  readonly peakRssBytes: number;
  readonly stderr: string;
}

/** Runs a TypeScript entry point in a child Node process, passing its output through. */
function runTs(entry: string, args: readonly string[], env: NodeJS.ProcessEnv, label: string): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, entry), ...args], { cwd: ROOT, env });
    let stderr = '';
    let peak = 0;
    const sample = (): void => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
      } catch {
        // The process has exited (or /proc is unavailable): keep the last sample.
      }
    };
    const timer = setInterval(sample, 1000);
    const prefix = (text: string): string =>
      text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => `  [${label}] ${l}\n`)
        .join('');
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(prefix(chunk.toString('utf8')));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      process.stderr.write(prefix(chunk.toString('utf8')));
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolvePromise({ code: code ?? 1, seconds: (Date.now() - started) / 1000, peakRssBytes: peak, stderr });
    });
  });
}

function runShell(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise(code ?? 1));
  });
}

interface ImportFigures {
  readonly summary: {
    readonly purchases: number;
    readonly positives: number;
    readonly usersImported: number;
    readonly edgesPerKind: Record<string, number>;
    readonly totalSeconds: number;
    readonly writer: string;
  };
  readonly generateSeconds: number;
  readonly peaks: { readonly node: number; readonly neo4j: number; readonly combined: number };
}

interface TrainFigures {
  readonly ok: boolean;
  readonly error: string | null;
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly epochs: ReadonlyArray<{ readonly epoch: number; readonly loss: number; readonly validation: number | null; readonly at: number }>;
  readonly secondsPerEpoch: number;
  readonly bestEpoch: number;
  readonly bestValidation: number;
  readonly minutesToBest: number;
  readonly stopReason: string;
}

interface Quantiles {
  readonly p50: number;
  readonly p99: number;
}

interface ServePhase extends Quantiles {
  readonly name: string;
  readonly reqPerSec: number;
  readonly cold: Quantiles;
  readonly warm: Quantiles;
  readonly httpErrors: number;
  readonly graphqlErrors: number;
}

interface ServeFigures {
  readonly startSeconds: number | null;
  readonly results: readonly ServePhase[];
}

interface QualityFigures {
  readonly recallAt10: number;
  readonly recallUsers: number;
  readonly recovery: number;
  readonly recoveryUsers: number;
  readonly recoveryByDriver: Record<string, number>;
}

interface SizeResult {
  readonly size: SizeSpec;
  readonly import: ImportFigures | null;
  readonly train: TrainFigures | null;
  readonly serve: ServeFigures | null;
  readonly quality: QualityFigures | null;
  readonly failures: string[];
}

/** bench:scale's training figures, from the report `eran train --json` wrote (null: none, the run failed). */
export function trainFigures(report: TrainReport | null): Omit<TrainFigures, 'ok' | 'error' | 'seconds' | 'peakRssBytes'> {
  const epochs = (report?.epochs ?? []).map((e) => ({ epoch: e.epoch, loss: e.loss.total, validation: e.validation, at: e.elapsedSeconds }));
  // Seconds of the steps of whole epochs (validation excluded): an epoch cut by the wall budget
  // did not run all its steps.
  const whole = (report?.epochs ?? [])
    .filter((e) => e.complete)
    .map((e) => e.seconds)
    .sort((a, b) => a - b);
  const best = epochs.find((e) => e.epoch === report?.bestEpoch);
  return {
    epochs,
    secondsPerEpoch: whole.length > 0 ? whole[Math.floor(whole.length / 2)]! : NaN,
    bestEpoch: best?.epoch ?? 0,
    bestValidation: best?.validation ?? NaN,
    minutesToBest: best === undefined ? NaN : best.at / 60,
    stopReason: report?.stopReason ?? 'unknown',
  };
}

async function runSize(size: SizeSpec, o: Options, baseEnv: NodeJS.ProcessEnv): Promise<SizeResult> {
  const dir = join(o.out, size.name);
  mkdirSync(dir, { recursive: true });
  const checkpoints = join(tmpdir(), `eran-scale-${size.name}-checkpoints`);
  rmSync(checkpoints, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...baseEnv, CHECKPOINT_DIR: checkpoints };
  const failures: string[] = [];
  const label = (phase: string): string => `${size.name} ${phase}`;
  const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

  log(`\n=== ${size.name}: ${size.items} items, ${size.users} users${size.uncapped ? ', no top-M cap (dense genre network)' : ''}`);
  // The world both the import and the quality measurement regenerate (the generator is deterministic).
  const world = ['--items', String(size.items), '--users', String(size.users), '--seed', String(o.seed)];
  const importFile = join(dir, 'import.json');
  const imported = await runTs(
    'bench/import.bench.ts',
    ['--synthetic', ...world, ...(size.uncapped ? ['--top-m', 'none'] : []), '--json', importFile],
    env,
    label('import'),
  );
  if (imported.code !== 0) return { size, import: null, train: null, serve: null, quality: null, failures: [`import failed (exit ${imported.code})`] };
  const importFigures = readJson<ImportFigures>(importFile);

  const minutes = o.trainMinutes ?? size.trainMinutes;
  // Outside the report folder: bench:scale's own train.json keeps its fields.
  const trainReportFile = join(tmpdir(), `eran-scale-${size.name}-train-report.json`);
  rmSync(trainReportFile, { force: true });
  const trained = await runTs(
    'src/cli.ts',
    ['train', '--max-seconds', String(Math.round(minutes * 60)), '--json', trainReportFile, ...(o.backend ? ['--backend', o.backend] : [])],
    env,
    label('train'),
  );
  const report = trained.code === 0 ? readJson<TrainReport>(trainReportFile) : null;
  const train: TrainFigures = {
    ok: trained.code === 0,
    error: trained.code === 0 ? null : (trained.stderr.trim().split('\n').pop() ?? `exit ${trained.code}`),
    seconds: trained.seconds,
    // The sampler sees the whole process; the report's own peak (getrusage) catches a spike between samples.
    peakRssBytes: Math.max(trained.peakRssBytes, report?.peakRssBytes ?? 0),
    ...trainFigures(report),
  };
  writeFileSync(join(dir, 'train.json'), `${JSON.stringify(train, null, 2)}\n`);
  if (!train.ok) {
    failures.push(`train failed: ${train.error}`);
    return { size, import: importFigures, train, serve: null, quality: null, failures };
  }

  const serveFile = join(dir, 'serve.json');
  const served = await runTs(
    'bench/serve.bench.ts',
    ['--duration', String(o.serveSeconds), '--rate', String(o.rate), '--users', '200', '--ready-timeout', '3600', '--json', serveFile],
    env,
    label('serve'),
  );
  const serve = served.code === 0 ? readJson<ServeFigures>(serveFile) : null;
  if (serve === null) failures.push(`serve bench failed (exit ${served.code})`);

  const qualityFile = join(dir, 'quality.json');
  const measured = await runTs(
    'bench/scale-quality.ts',
    [...world, '--recall-users', size.items >= 100_000 ? '50' : '100', '--json', qualityFile],
    env,
    label('quality'),
  );
  const quality = measured.code === 0 ? readJson<QualityFigures>(qualityFile) : null;
  if (quality === null) failures.push(`quality measurement failed (exit ${measured.code})`);
  return { size, import: importFigures, train, serve, quality, failures };
}

const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
const fixed = (x: number | undefined, digits: number): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

export function scaleTable(results: readonly SizeResult[]): string {
  const header = [
    'size',
    'items / users / purchases',
    'edges actor / director / genre',
    'generate + import s',
    'import peak RSS GiB (node / neo4j / both)',
    'train s/epoch (steps, excl. validation)',
    'epochs (best at) / min to best',
    'best validation nDCG@10',
    'train peak RSS GiB',
    'server ready s',
    'recommend+expl. p50 / p99 ms at rate (cold p99)',
    'closed loop req/s (p50 ms)',
    'candidate recall@10',
    'driver recovery',
  ];
  const rows = results.map((r) => {
    const i = r.import;
    const t = r.train;
    const paced = r.serve?.results.find((p) => p.name.includes('[paced]'));
    const closed = r.serve?.results.find((p) => p.name.includes('[autocannon]'));
    const edges = i ? ['actor', 'director', 'genre'].map((k) => (i.summary.edgesPerKind[k] ?? 0).toLocaleString('en-US')).join(' / ') : '-';
    return [
      r.size.name + (r.size.uncapped ? ' (no cap)' : ''),
      i ? `${r.size.items.toLocaleString('en-US')} / ${i.summary.usersImported.toLocaleString('en-US')} / ${i.summary.purchases.toLocaleString('en-US')}` : '-',
      edges,
      i ? `${fixed(i.generateSeconds, 0)} + ${fixed(i.summary.totalSeconds, 0)} (${i.summary.writer})` : '-',
      i ? `${gib(i.peaks.node)} / ${gib(i.peaks.neo4j)} / ${gib(i.peaks.combined)}` : '-',
      t?.ok ? fixed(t.secondsPerEpoch, 0) : t ? 'failed' : '-',
      t?.ok ? `${t.epochs.length} (${t.bestEpoch}, ${t.stopReason}) / ${fixed(t.minutesToBest, 1)}` : '-',
      t?.ok ? fixed(t.bestValidation, 4) : '-',
      t ? gib(t.peakRssBytes) : '-',
      r.serve?.startSeconds != null ? fixed(r.serve.startSeconds, 0) : '-',
      paced
        ? `${fixed(paced.p50, 1)} / ${fixed(paced.p99, 1)} at ${fixed(paced.reqPerSec, 0)}/s (${fixed(paced.cold.p99, 1)})${paced.httpErrors + paced.graphqlErrors > 0 ? `, ${paced.httpErrors + paced.graphqlErrors} errors` : ''}`
        : '-',
      closed ? `${fixed(closed.reqPerSec, 0)} (${fixed(closed.p50, 1)})` : '-',
      r.quality ? fixed(r.quality.recallAt10, 3) : '-',
      r.quality ? `${fixed(100 * r.quality.recovery, 1)}%` : '-',
    ];
  });
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}

function previousResults(file: string): SizeResult[] {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { results?: SizeResult[] }).results ?? [];
  } catch {
    return [];
  }
}

function inSizeOrder(results: readonly SizeResult[]): SizeResult[] {
  const rank = (r: SizeResult): number => SIZES.findIndex((s) => s.name === r.size.name);
  return [...results].sort((a, b) => rank(a) - rank(b));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  mkdirSync(o.out, { recursive: true });
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NEO4J_DATA_DIR: process.env.NEO4J_DATA_DIR ?? join(ROOT, '.neo4j-bench'),
    NEO4J_BOLT_PORT: process.env.NEO4J_BOLT_PORT ?? '7689',
    NEO4J_HTTP_PORT: process.env.NEO4J_HTTP_PORT ?? '7480',
    NEO4J_HEAP: process.env.NEO4J_HEAP ?? '2g',
    ...(o.backend ? { ERAN_TF_BACKEND: o.backend } : {}),
  };
  baseEnv.NEO4J_URI = `bolt://127.0.0.1:${baseEnv.NEO4J_BOLT_PORT}`;
  log(
    `bench:scale: sizes ${o.sizes.map((s) => s.name).join(', ')}, seed ${o.seed}, Neo4j ${baseEnv.NEO4J_URI} (data ${baseEnv.NEO4J_DATA_DIR}), reports ${o.out}`,
  );
  const code = await runShell('bash', ['scripts/neo4j.sh', 'start'], baseEnv);
  if (code !== 0) throw new Error(`could not start the benchmark's Neo4j (scripts/neo4j.sh start exited ${code})`);

  const results: SizeResult[] = [];
  const started = Date.now();
  // Sizes measured by an earlier run into the same folder stay in the table (in size order).
  const earlier = previousResults(join(o.out, 'scale.json')).filter((r) => !o.sizes.some((s) => s.name === r.size.name));
  for (const size of o.sizes) {
    results.push(await runSize(size, o, baseEnv));
    const table = scaleTable(inSizeOrder([...earlier, ...results]));
    const meta = {
      date: new Date().toISOString(),
      seed: o.seed,
      rate: o.rate,
      serveSeconds: o.serveSeconds,
      backend: o.backend ?? 'auto',
      minutes: (Date.now() - started) / 60_000,
    };
    writeFileSync(join(o.out, 'scale.json'), `${JSON.stringify({ ...meta, results: inSizeOrder([...earlier, ...results]) }, null, 2)}\n`);
    writeFileSync(join(o.out, 'scale.md'), `# bench:scale\n\n${JSON.stringify(meta)}\n\n${table}\n`);
  }
  log(`\n${scaleTable(inSizeOrder([...earlier, ...results]))}`);
  for (const r of results) for (const f of r.failures) log(`${r.size.name}: ${f}`);
  if (results.some((r) => r.failures.length > 0)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bench:scale: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
