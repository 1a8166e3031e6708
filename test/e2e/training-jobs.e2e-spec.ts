import { loadConfig } from '../../src/config/app-config';
import { GraphClient } from '../../src/graph/graph-client';
import { IngestRepository } from '../../src/ingest/ingest.repository';
import { importDataset } from '../../src/ingest/import-dataset';
import { generateMovieWorld, syntheticSource } from '../../src/datasets/synthetic';
import { STALE_AFTER_MS, TrainingJobRepository } from '../../src/training/training-job.repository';
import { SyncRepository } from '../../src/sync/sync.repository';

/**
 * The state replicas share through the graph, against the real test server: one training job at a
 * time across processes, a job whose trainer died, claiming by workers, and the bounded change log.
 */
const config = loadConfig();
let graph: GraphClient;

beforeAll(async () => {
  graph = await GraphClient.connect(config.neo4j);
  const ingest = new IngestRepository(graph);
  await ingest.deleteAll();
  await importDataset(ingest, syntheticSource(generateMovieWorld({ seed: 9, users: 20, items: 30 })));
});

afterAll(async () => {
  await graph?.close();
});

const job = (id: string, status: 'QUEUED' | 'RUNNING') => ({ id, status, epochs: 1, options: '{"epochs":1}', mode: 'worker' as const, owner: 'test' });

describe('training jobs in the graph', () => {
  it('admits one job at a time; a running job whose heartbeats stopped is failed and admits the next', async () => {
    const jobs = new TrainingJobRepository(graph);
    const now = Date.now();
    expect(await jobs.create(job('dead', 'RUNNING'), now - 2 * STALE_AFTER_MS)).toBeNull();
    expect(await jobs.find('dead', now - 2 * STALE_AFTER_MS)).toMatchObject({ status: 'RUNNING' });
    // Read later, its trainer has been silent for too long.
    expect(await jobs.find('dead', now)).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/heartbeats/) });
    expect(await jobs.create(job('next', 'QUEUED'), now)).toBeNull();
    expect(await jobs.create(job('third', 'QUEUED'), now)).toBe('next');
    expect(await jobs.find('third', now)).toBeNull();
  });

  it('lets exactly one of several workers claim a queued job', async () => {
    const jobs = new TrainingJobRepository(graph);
    const claims = await Promise.all(['w1', 'w2', 'w3'].map((owner) => jobs.claim(owner)));
    expect(claims.filter((c) => c !== null).map((c) => c!.id)).toEqual(['next']);
    expect(await jobs.find('next')).toMatchObject({ status: 'RUNNING' });
    await jobs.update('next', { status: 'SUCCEEDED', phase: 'done', modelVersion: 'v1', finishedAt: Date.now() });
    expect(await jobs.find('next')).toMatchObject({ status: 'SUCCEEDED', modelVersion: 'v1' });
    expect(await jobs.claim('w1')).toBeNull();
  });
});

describe('the change log', () => {
  it('numbers entries in commit order without gaps, also for concurrent writes, and keeps only the last ones', async () => {
    const feed = new SyncRepository(graph);
    const start = (await feed.read(0, 1)).head;
    const append = (key: string, retain: number) => graph.write('sync/append-change', { kind: 'item', key, retain });
    await Promise.all(Array.from({ length: 12 }, (_, n) => append(`k${n}`, 1000)));
    const page = await feed.read(start, 100);
    expect(page.head).toBe(start + 12);
    expect(page.changes.map((c) => c.seq)).toEqual(Array.from({ length: 12 }, (_, n) => start + n + 1));
    expect(new Set(page.changes.map((c) => c.key)).size).toBe(12);
    // With a window of 5, each append deletes the entry 5 behind it.
    for (let n = 0; n < 3; n++) await append(`w${n}`, 5);
    const kept = await feed.read(start, 100);
    expect(kept.changes.map((c) => c.seq)).not.toContain(start + 10);
    expect(kept.changes.map((c) => c.seq)).toContain(start + 11);
    expect(kept.changes[kept.changes.length - 1]!.seq).toBe(start + 15);
  });
});
