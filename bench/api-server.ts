/**
 * Starts `eran serve` (or `eran worker`) in a child process for the API benchmarks and the
 * several-replica e2e test, so that the load generator and the server never share an event loop,
 * and waits until it serves a model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ApiServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Seconds from spawn until it served a model (start-up, checkpoint load, activation): its readiness, not its port. */
  readonly startSeconds: number;
  /** SIGTERM (graceful) by default; SIGKILL to kill it as a crash would. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ApiServerOptions {
  /** Run dist/cli.js (npm run build first) instead of src through ts-node. */
  readonly compiled: boolean;
  /** Extra environment for the server (keys, limits, CHECKPOINT_DIR). */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra arguments after `serve`. */
  readonly args?: readonly string[];
  /** How long the server may take to serve a model (default 180 s; catalogue-scale activation takes minutes). */
  readonly readyTimeoutSeconds?: number;
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** Where the child's output goes (default: this process's). */
  readonly stdio?: 'inherit' | 'ignore';
}

function cliEntry(compiled: boolean): string[] {
  const root = join(__dirname, '..');
  return compiled ? [join(root, 'dist', 'cli.js')] : ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'cli.ts')];
}

function childEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  // NODE_ENV=production: graphql-js then skips its development-time checks on every value.
  return { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', NODE_ENV: process.env.NODE_ENV ?? 'production', ...extra };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** `eran worker` in a child process: takes the retrain jobs the replicas queue in the graph. */
export function startTrainingWorker(options: Omit<ApiServerOptions, 'port' | 'args'> & { pollMs?: number }): WorkerProcess {
  const child = spawn(process.execPath, [...cliEntry(options.compiled), 'worker', '--poll-ms', String(options.pollMs ?? 200)], {
    env: childEnv(options.env),
    stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
  });
  return { child, stop: () => stopChild(child) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A fresh random API key (64 hex characters). */
export function newApiKey(): string {
  return randomBytes(32).toString('hex');
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [...cliEntry(options.compiled), 'serve', ...(options.args ?? [])], {
    env: { ...childEnv(options.env), PORT: String(port) },
    stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = (signal?: NodeJS.Signals): Promise<void> => stopChild(child, signal);
  const started = Date.now();
  const timeout = options.readyTimeoutSeconds ?? 180;
  const deadline = started + timeout * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      // Readiness, not the port: the server listens while it is still activating its model.
      const health = await fetch(`${url}/health`);
      const body = (await health.json()) as { model: { ready: boolean; state: 'ready' | 'loading' | 'none' } };
      if (body.model.ready) return { url, child, stop, startSeconds: (Date.now() - started) / 1000 };
      if (body.model.state === 'none') {
        await stop();
        throw new Error('the server has no model: train one first (npm run eran -- train)');
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the server has no model')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await stop();
  throw new Error(`the server did not become healthy within ${timeout} s`);
}
