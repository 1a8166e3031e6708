/**
 * Runs one model on one seed (model-run.ts) in a child process, for specs that carry a recipe
 * (eRAN): a wasm abort or an out-of-memory kills a whole process, and here it kills only the
 * child, whose error (or exit code and last stderr lines) becomes that model's failure in the
 * report. The child also gives back its wasm heap, which never shrinks, when it exits.
 *
 * The seed's inputs (splits, views, validation splits: megabytes) go through a file written once
 * per seed with v8.serialize (typed arrays and Maps survive), and the child reads it itself: an
 * IPC message that large drains only while this process's event loop runs, and the baselines
 * beside it keep the loop busy for a minute at a time, leaving the child waiting. Messages carry
 * the small rest. A plain fork rather than a worker thread: a native backend's abort (the
 * TensorFlow C library) would take every thread of the process with it.
 */
import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { serialize } from 'node:v8';
import type { BackendPreference } from '../model/backend';
import type { ModelJob, ModelOutcome, ModelProgress, SeedInputs } from './model-run';
import type { SpecRecipe } from './tune';

export interface WorkerRequest {
  readonly kind: 'run';
  readonly recipe: SpecRecipe;
  /** A file holding v8.serialize(SeedInputs) (writeSeedInputs). */
  readonly inputsFile: string;
  readonly job: ModelJob;
  readonly backend: BackendPreference;
}

/** Writes one seed's inputs for the child processes; the caller removes the file when the seed is done. */
export async function writeSeedInputs(inputs: SeedInputs): Promise<string> {
  const file = join(tmpdir(), `eran-eval-${process.pid}-seed${inputs.seed}-${Date.now()}.bin`);
  await fs.writeFile(file, serialize(inputs));
  return file;
}

export type WorkerMessage =
  | { readonly kind: 'progress'; readonly event: ModelProgress }
  | { readonly kind: 'done'; readonly outcome: ModelOutcome }
  | { readonly kind: 'failed'; readonly message: string };

/** Characters of the child's stderr kept for the failure message. */
const STDERR_TAIL = 2000;

export function runIsolated(request: Omit<WorkerRequest, 'kind'>, progress: (event: ModelProgress) => void = () => undefined): Promise<ModelOutcome> {
  const worker = join(__dirname, `model-worker${extname(__filename)}`);
  // Under ts-node or ts-jest this file is TypeScript, and so is the worker.
  const execArgv = worker.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
  const child = fork(worker, [], { serialization: 'advanced', execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  return new Promise<ModelOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'progress') progress(message.event);
      else if (message.kind === 'done') settle(() => resolve(message.outcome));
      else settle(() => reject(new Error(message.message)));
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) => {
      const tail = stderr.trim().split('\n').slice(-6).join(' | ');
      settle(() =>
        reject(new Error(`the model's process ended (${signal ? `signal ${signal}` : `exit code ${code}`}) before finishing${tail ? `: ${tail}` : ''}`)),
      );
    });
    const message: WorkerRequest = { kind: 'run', ...request };
    child.send(message, (error) => {
      if (error) settle(() => reject(error));
    });
  });
}
