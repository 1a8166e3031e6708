import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startApiServer, startTrainingWorker, type ApiServer, type WorkerProcess } from '../../bench/api-server';
import { loadConfig } from '../../src/config/app-config';
import { GraphClient } from '../../src/graph/graph-client';
import { IngestRepository } from '../../src/ingest/ingest.repository';
import { importDataset } from '../../src/ingest/import-dataset';
import { generateMovieWorld, syntheticSource } from '../../src/datasets/synthetic';
import { initBackend } from '../../src/model/backend';
import { CheckpointStore } from '../../src/served-model/checkpoint-store';
import { ServedModelRepository } from '../../src/served-model/served-model.repository';
import { runTrainingPipeline } from '../../src/training/train-pipeline';
import { TrainingRepository } from '../../src/training/training.repository';

/**
 * Two `eran serve` replicas and an `eran worker`, each its own process, on the test Neo4j and one
 * shared checkpoint folder: what one replica writes, the other serves; a retrain queued through
 * one is trained by the worker and served by both; a killed replica loses nothing it acknowledged.
 */
const ADMIN_KEY = 'replicas-admin-key-0123456789abcdef0123456789';
const WRITER_KEY = 'replicas-writer-key-0123456789abcdef012345678';
const world = generateMovieWorld({ seed: 33, users: 120, items: 180 });
const checkpointDir = mkdtempSync(join(tmpdir(), 'eran-replicas-e2e-'));
const config = loadConfig();
/** Both replicas poll the change log this often; every "eventually" below waits at most 50 polls. */
const SYNC_INTERVAL_MS = 100;

let graph: GraphClient;
let a: ApiServer;
let b: ApiServer;
let worker: WorkerProcess;

interface Gql<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions: { code: string; reason?: string } }>;
}

async function gql<T>(server: ApiServer, query: string, variables: Record<string, unknown> = {}, key?: string): Promise<Gql<T>> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Gql<T>;
}

async function ok<T>(server: ApiServer, query: string, variables: Record<string, unknown> = {}, key?: string): Promise<T> {
  const body = await gql<T>(server, query, variables, key);
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

async function recommended(server: ApiServer, userId: string, k = 10): Promise<string[]> {
  const data = await ok<{ recommend: Array<{ item: { id: string } }> }>(server, 'query R($u: ID!, $k: Int!) { recommend(userId: $u, k: $k) { item { id } } }', {
    u: userId,
    k,
  });
  return data.recommend.map((r) => r.item.id);
}

async function version(server: ApiServer): Promise<string> {
  return (await ok<{ model: { version: string } }>(server, '{ model { version } }')).model.version;
}

/** Polls until `check` holds (or fails with its last value): replication is asynchronous by design. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 50 * SYNC_INTERVAL_MS + 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

function replicaEnv(): NodeJS.ProcessEnv {
  return {
    NEO4J_URI: config.neo4j.uri,
    NEO4J_PASSWORD: config.neo4j.password,
    CHECKPOINT_DIR: checkpointDir,
    WRITER_API_KEYS: WRITER_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    RATE_LIMIT_REQUESTS: '0',
    RATE_LIMIT_COST: '0',
    SYNC_INTERVAL_MS: String(SYNC_INTERVAL_MS),
    TRAINING_MODE: 'worker',
    LOG_LEVEL: 'warn',
  };
}

async function startReplica(port?: number): Promise<ApiServer> {
  return startApiServer({ compiled: false, env: replicaEnv(), port });
}

beforeAll(async () => {
  graph = await GraphClient.connect(config.neo4j);
  const ingest = new IngestRepository(graph);
  await ingest.deleteAll();
  await importDataset(ingest, syntheticSource(world));
  const backend = await initBackend();
  const trained = await runTrainingPipeline(new TrainingRepository(graph), new CheckpointStore(checkpointDir), {
    epochs: 6,
    backend: backend.name,
    hyper: { hidden: [16, 8], learningRate: 0.01, alpha: 10, batchSize: 512, reconstruction: 'sampled', sampledColumns: 32, seed: 3 },
  });
  trained.model.dispose();
  await new ServedModelRepository(graph).publish(trained.version, 'replicas e2e');
  [a, b] = await Promise.all([startReplica(), startReplica()]);
  worker = startTrainingWorker({ compiled: false, env: replicaEnv() });
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
  await graph?.close();
  rmSync(checkpointDir, { recursive: true, force: true });
});

describe('two replicas and a training worker on one graph', () => {
  it('serves the same published model version on both replicas', async () => {
    expect(await version(a)).toBe(await version(b));
  });

  it("a purchase through A changes that user's next recommendation on B", async () => {
    const userId = '7';
    const before = await recommended(b, userId);
    const bought = before[0]!;
    await ok(a, 'mutation P($u: ID!, $i: ID!) { recordPurchase(userId: $u, itemId: $i, rating: 5) { positive } }', { u: userId, i: bought }, WRITER_KEY);
    expect(await recommended(a, userId)).not.toContain(bought);
    const after = await eventually(
      () => recommended(b, userId),
      (ids) => !ids.includes(bought),
    );
    expect(after).not.toContain(bought);
    expect(after).not.toEqual(before);
  });

  it('a user created through A (first purchase) is served by B, which had answered NOT_FOUND for them', async () => {
    const unknown = await gql(b, '{ recommend(userId: "newcomer", k: 5) { item { id } } }');
    expect(unknown.errors![0]!.extensions.code).toBe('NOT_FOUND');
    await ok(a, 'mutation { recordPurchase(userId: "newcomer", itemId: "3", rating: 5) { newUser } }', {}, WRITER_KEY);
    await ok(a, 'mutation { recordPurchase(userId: "newcomer", itemId: "4", rating: 5) { newUser } }', {}, WRITER_KEY);
    const ids = await eventually(
      () => gql<{ recommend: Array<{ item: { id: string } }> }>(b, '{ recommend(userId: "newcomer", k: 5) { item { id } } }'),
      (body) => body.errors === undefined,
    );
    expect(ids.errors).toBeUndefined();
    const served = ids.data!.recommend.map((r) => r.item.id);
    expect(served).toHaveLength(5);
    expect(served).not.toContain('3');
    expect(served).not.toContain('4');
  });

  it('an item hidden through A is withheld by B, and shown again when A shows it', async () => {
    const userId = '12';
    const [top] = await recommended(b, userId);
    await ok(a, 'mutation H($i: ID!) { hideItem(itemId: $i) { id } }', { i: top }, ADMIN_KEY);
    expect(
      await eventually(
        () => recommended(b, userId, 50),
        (ids) => !ids.includes(top!),
      ),
    ).not.toContain(top);
    const { item } = await ok<{ item: { hidden: boolean } }>(b, 'query I($i: ID!) { item(itemId: $i) { hidden } }', { i: top });
    expect(item.hidden).toBe(true);
    await ok(a, 'mutation H($i: ID!) { hideItem(itemId: $i, hidden: false) { id } }', { i: top }, ADMIN_KEY);
    expect(
      await eventually(
        () => recommended(b, userId),
        (ids) => ids[0] === top,
      ),
    ).toContain(top);
  });

  it('an item added through A is known to B, encoded by its model and recommendable there', async () => {
    const actor = world.attributes.find((x) => x.kind === 'actor')!;
    await ok(
      a,
      'mutation A($input: AddItemInput!) { addItem(input: $input) { recommendable } }',
      { input: { id: 'replicated-1', title: 'Added Through A', year: 2025, attributes: [{ kind: 'actor', value: actor.value }] } },
      ADMIN_KEY,
    );
    const similar = await eventually(
      () => gql<{ similarItems: Array<{ item: { id: string } }> }>(b, '{ similarItems(itemId: "replicated-1", k: 3) { item { id } } }'),
      (body) => body.errors === undefined,
    );
    expect(similar.errors).toBeUndefined();
    expect(similar.data!.similarItems).toHaveLength(3);
    const { item } = await ok<{ item: { title: string; coldStart: boolean } }>(b, '{ item(itemId: "replicated-1") { title coldStart } }');
    expect(item).toEqual({ title: 'Added Through A', coldStart: true });
  });

  it('a retrain queued through A is trained by the worker and served by both replicas; a rollback through B returns both to the old version', async () => {
    const old = await version(a);
    const { retrainModel } = await ok<{ retrainModel: { id: string; status: string } }>(
      a,
      'mutation { retrainModel(options: {epochs: 2, hidden: [16, 8], batchSize: 512}) { id status } }',
      {},
      ADMIN_KEY,
    );
    // Queued in the graph; the worker (polling every 200 ms) may have claimed it before the answer was read.
    expect(['QUEUED', 'RUNNING']).toContain(retrainModel.status);
    const conflict = await gql(b, 'mutation { retrainModel(options: {epochs: 1}) { id } }', {}, ADMIN_KEY);
    expect(conflict.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'TRAINING_JOB_RUNNING' });
    // The job is in the graph: B reports its progress and outcome too.
    const job = await eventually(
      () =>
        ok<{ trainingJob: { status: string; modelVersion: string | null } }>(b, 'query J($id: ID!) { trainingJob(id: $id) { status modelVersion } }', {
          id: retrainModel.id,
        }),
      (data) => data.trainingJob.status === 'SUCCEEDED' || data.trainingJob.status === 'FAILED',
      170_000,
    );
    expect(job.trainingJob.status).toBe('SUCCEEDED');
    const trained = job.trainingJob.modelVersion!;
    expect(trained).not.toBe(old);
    expect(
      await eventually(
        () => version(a),
        (v) => v === trained,
      ),
    ).toBe(trained);
    expect(
      await eventually(
        () => version(b),
        (v) => v === trained,
      ),
    ).toBe(trained);
    expect(await recommended(b, '1')).toHaveLength(10);

    const { rollbackModel } = await ok<{ rollbackModel: { version: string } }>(
      b,
      'mutation R($v: ID!) { rollbackModel(version: $v) { version } }',
      { v: old },
      ADMIN_KEY,
    );
    expect(rollbackModel.version).toBe(old);
    expect(
      await eventually(
        () => version(a),
        (v) => v === old,
      ),
    ).toBe(old);
    const unknown = await gql(a, 'mutation { rollbackModel(version: "v20000101T000000000Z") { version } }', {}, ADMIN_KEY);
    expect(unknown.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MODEL_VERSION_NOT_FOUND' });
  });

  it('killing a replica loses nothing it acknowledged: B and a fresh replica serve its writes', async () => {
    const userId = '20';
    const before = await recommended(b, userId);
    const bought = before.slice(0, 3);
    for (const itemId of bought) {
      await ok(a, 'mutation P($u: ID!, $i: ID!) { recordPurchase(userId: $u, itemId: $i, rating: 5) { positive } }', { u: userId, i: itemId }, WRITER_KEY);
    }
    await a.stop('SIGKILL');
    const onB = await eventually(
      () => recommended(b, userId),
      (ids) => bought.every((id) => !ids.includes(id)),
    );
    for (const id of bought) expect(onB).not.toContain(id);
    a = await startReplica(await freePort());
    // Same model version on both (a switch published by an earlier test may still be reaching B).
    const served = await version(b);
    expect(
      await eventually(
        () => version(a),
        (v) => v === served,
      ),
    ).toBe(served);
    const onFresh = await recommended(a, userId);
    for (const id of bought) expect(onFresh).not.toContain(id);
    expect(onFresh).toEqual(await recommended(b, userId));
  });
});
