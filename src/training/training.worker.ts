import { parentPort, threadId, workerData } from 'node:worker_threads';
import { GraphClient, GraphError, GraphUnavailableError } from '../graph/graph-client';
import { initBackend } from '../model/backend';
import { CheckpointStore } from '../served-model/checkpoint-store';
import { PipelineError, runTrainingPipeline } from './train-pipeline';
import type { FromTrainingWorker, ToTrainingWorker, TrainingFailure, TrainingWorkerData } from './training-worker.protocol';
import { TrainingRepository } from './training.repository';

/**
 * Entry point of a retrain worker thread (started by training-worker.ts): its own tfjs backend and
 * Neo4j driver, the training pipeline from extraction to the saved checkpoint, progress and the
 * outcome reported to the server thread by messages. Training is synchronous tfjs work for seconds
 * to minutes at a time; here it never holds up the server's event loop.
 */
async function main(port: NonNullable<typeof parentPort>, data: TrainingWorkerData): Promise<void> {
  const post = (message: FromTrainingWorker): void => port.postMessage(message);
  const abort = new AbortController();
  port.on('message', (message: ToTrainingWorker) => {
    if (message.type === 'abort') abort.abort();
  });
  let graph: GraphClient | null = null;
  try {
    const backend = await initBackend({ prefer: data.backend });
    post({ type: 'started', threadId, backend: backend.name });
    graph = await GraphClient.connect(data.neo4j);
    const result = await runTrainingPipeline(
      new TrainingRepository(graph),
      new CheckpointStore(data.checkpointDir),
      { ...data.options, backend: backend.name, signal: abort.signal },
      (progress) => post({ type: 'progress', progress }),
    );
    result.model.dispose();
    post({ type: 'succeeded', version: result.version });
  } catch (error) {
    post({ type: 'failed', failure: failureOf(error) });
  } finally {
    // The server thread terminates this worker once it has the outcome.
    await graph?.close().catch(() => undefined);
  }
}

function failureOf(error: unknown): TrainingFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PipelineError) return { kind: 'rejected', message };
  if (error instanceof GraphUnavailableError || (error instanceof GraphError && error.failure !== 'query')) return { kind: 'unavailable', message };
  return { kind: 'internal', message, stack: error instanceof Error ? error.stack : undefined };
}

if (parentPort !== null) void main(parentPort, workerData as TrainingWorkerData);
