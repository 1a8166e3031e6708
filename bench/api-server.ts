/**
 * Starts `eran serve` in a child process for the API benchmarks, so that the load generator and
 * the server never share an event loop, and waits until it serves a model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ApiServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Seconds from spawn until it served a model (start-up, checkpoint load, activation). */
  readonly startSeconds: number;
  stop(): Promise<void>;
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
  const port = await freePort();
  const root = join(__dirname, '..');
  const entry = options.compiled ? [join(root, 'dist', 'cli.js')] : ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'cli.ts')];
  const child = spawn(process.execPath, [...entry, 'serve', ...(options.args ?? [])], {
    // NODE_ENV=production: graphql-js then skips its development-time checks on every value.
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', NODE_ENV: process.env.NODE_ENV ?? 'production', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  const started = Date.now();
  const timeout = options.readyTimeoutSeconds ?? 180;
  const deadline = started + timeout * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const health = await fetch(`${url}/health`);
      const body = (await health.json()) as { model: { ready: boolean } };
      if (body.model.ready) return { url, child, stop, startSeconds: (Date.now() - started) / 1000 };
      await stop();
      throw new Error('the server has no model: train one first (npm run eran -- train)');
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('the server has no model')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  await stop();
  throw new Error(`the server did not become healthy within ${timeout} s`);
}
