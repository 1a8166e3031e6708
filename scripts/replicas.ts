/**
 * `npm run replicas -- [--replicas N] [--base-port P] [--no-worker] [--compiled]`: N API replicas
 * (`eran serve` on ports P, P+1, ...) and one training worker (`eran worker`) against the Neo4j and
 * CHECKPOINT_DIR of this environment, each its own process, output prefixed by its name. With the
 * worker, replicas queue retrain jobs for it (TRAINING_MODE=worker). Ctrl-C stops them all.
 * Put a load balancer in front for one address (docker-compose.yml does, with nginx).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

interface Options {
  replicas: number;
  basePort: number;
  worker: boolean;
  compiled: boolean;
}

function parse(argv: readonly string[]): Options {
  const options: Options = { replicas: 2, basePort: Number(process.env.PORT ?? 3000), worker: true, compiled: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer, got "${argv[i]}"`);
      return n;
    };
    if (arg === '--replicas') options.replicas = value();
    else if (arg === '--base-port') options.basePort = value();
    else if (arg === '--no-worker') options.worker = false;
    else if (arg === '--compiled') options.compiled = true;
    else throw new Error(`unknown option ${arg} (expected --replicas N, --base-port P, --no-worker, --compiled)`);
  }
  return options;
}

function start(name: string, args: readonly string[], env: NodeJS.ProcessEnv, compiled: boolean): ChildProcess {
  const root = join(__dirname, '..');
  const entry = compiled ? [join(root, 'dist', 'cli.js')] : ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'cli.ts')];
  const child = spawn(process.execPath, [...entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  child.on('exit', (code, signal) => process.stdout.write(`[${name}] exited (${signal ?? code})\n`));
  return child;
}

function main(): void {
  const options = parse(process.argv.slice(2));
  const mode = options.worker ? 'worker' : 'inline';
  const children: ChildProcess[] = [];
  for (let r = 0; r < options.replicas; r++) {
    const port = options.basePort + r;
    children.push(start(`api:${port}`, ['serve'], { PORT: String(port), TRAINING_MODE: mode }, options.compiled));
  }
  if (options.worker) children.push(start('worker', ['worker'], {}, options.compiled));
  const ports = Array.from({ length: options.replicas }, (_, r) => options.basePort + r);
  process.stdout.write(
    `started ${options.replicas} replicas (ports ${ports.join(', ')})${options.worker ? ' and a training worker' : ''}; Ctrl-C stops them\n`,
  );
  const stop = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  console.error(`replicas: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
