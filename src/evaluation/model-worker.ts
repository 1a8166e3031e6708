/**
 * The child-process side of isolated-run.ts: receives one request, rebuilds the spec from its
 * recipe (a module, a factory exported by it, plain options), runs it on the seed's inputs and
 * sends back the outcome, then exits.
 */
import { readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { initBackend } from '../model/backend';
import type { WorkerMessage, WorkerRequest } from './isolated-run';
import { type ModelProgress, runModelOnSeed, type SeedInputs } from './model-run';
import type { ModelSpec, SpecRecipe } from './tune';

/** At most one progress message per this many milliseconds (eRAN reports every training step). */
const PROGRESS_INTERVAL_MS = 250;

function send(message: WorkerMessage, then?: () => void): void {
  process.send!(message, undefined, {}, () => then?.());
}

function specFromRecipe(recipe: SpecRecipe): ModelSpec {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = (require(recipe.module) as Record<string, unknown>)[recipe.factory];
  if (typeof factory !== 'function') throw new Error(`${recipe.module} exports no function "${recipe.factory}"`);
  return (factory as (options: unknown) => ModelSpec)(recipe.options);
}

async function handle(request: WorkerRequest): Promise<void> {
  try {
    await initBackend({ prefer: request.backend });
    const spec = specFromRecipe(request.recipe);
    let last = 0;
    const progress = (event: ModelProgress): void => {
      const now = Date.now();
      const edge = event.done === 0 || event.done === event.total;
      if (!edge && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      send({ kind: 'progress', event });
    };
    const inputs = deserialize(readFileSync(request.inputsFile)) as SeedInputs;
    const outcome = await runModelOnSeed(spec, inputs, request.job, progress);
    send({ kind: 'done', outcome }, () => process.exit(0));
  } catch (error) {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  }
}

process.once('message', (request: WorkerRequest) => {
  void handle(request);
});
// The harness is gone (killed, or crashed): nobody will read the outcome.
process.once('disconnect', () => process.exit(1));
