import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import neo4j, { type Driver } from 'neo4j-driver';
import request from 'supertest';
import { createApp } from '../../src/main';
import { loadConfig, parseApiKeys, type AppConfig } from '../../src/config/app-config';
import { GraphClient } from '../../src/graph/graph-client';
import { IngestRepository } from '../../src/ingest/ingest.repository';
import { importDataset } from '../../src/ingest/import-dataset';
import { generateMovieWorld, syntheticSource } from '../../src/datasets/synthetic';
import { initBackend } from '../../src/model/backend';
import { CheckpointStore } from '../../src/served-model/checkpoint-store';
import { runTrainingPipeline } from '../../src/training/train-pipeline';
import { TrainingRepository } from '../../src/training/training.repository';
import { TrainingJobService } from '../../src/training/training-job.service';
import { RecommendService } from '../../src/recommend/recommend.service';
import { capturedLogger, ERROR_LEVEL, type LogLine } from './support/captured-logger';
import { FaultyTcpProxy } from './support/tcp-proxy';

/**
 * The API as an outside caller meets it, one block per defect of the "safe to expose" review,
 * each reproducing the defect against the real test Neo4j: unauthorised writes, requests that
 * cost more than they count, concurrent identical writes, retraining on the serving thread,
 * client mistakes answered as 500, and Neo4j outages. No load: each test sends a handful of
 * requests (the load figures are in `npm run bench:safety`).
 */
const ADMIN_KEY = 'safety-admin-key-0123456789abcdef0123456789';
const WRITER_KEY = 'safety-writer-key-0123456789abcdef012345678';
const world = generateMovieWorld({ seed: 33, users: 150, items: 220 });
const checkpointDir = mkdtempSync(join(tmpdir(), 'eran-safety-e2e-'));
const base = loadConfig();
const config: AppConfig = {
  ...base,
  checkpointDir,
  auth: { adminKeys: parseApiKeys('ADMIN_API_KEYS', ADMIN_KEY), writerKeys: parseApiKeys('WRITER_API_KEYS', WRITER_KEY) },
  // The per-client limits have their own app below; here they would make tests depend on their order.
  // The time budget has its own test (a 1 ms app below); here a generous one keeps the functional
  // checks independent of the machine's load (speed is measured by bench:safety, not by tests).
  limits: { ...base.limits, rateRequests: 0, rateCost: 0, requestBudgetMs: 120_000 },
  port: 0,
  logLevel: 'warn',
  tfBackend: 'wasm',
};

let graph: GraphClient;
let driver: Driver;
let app: INestApplication;
let logLines: LogLine[];

interface GqlError {
  message: string;
  extensions: { code: string; reason?: string; field?: string; cost?: number; maxCost?: number; retryAfterSeconds?: number };
}

interface Answer<T> {
  status: number;
  headers: Record<string, string>;
  data?: T | null;
  errors?: GqlError[];
  extensions?: { cost?: { requested: number; limit: number } };
}

async function post<T>(target: INestApplication, query: string, variables: Record<string, unknown> = {}, key?: string): Promise<Answer<T>> {
  const req = request(target.getHttpServer()).post('/graphql').set('content-type', 'application/json');
  if (key !== undefined) req.set('authorization', `Bearer ${key}`);
  const res = await req.send({ query, variables });
  return { status: res.status, headers: res.headers as Record<string, string>, ...(res.body as object) };
}

const gql = <T>(query: string, variables: Record<string, unknown> = {}, key?: string): Promise<Answer<T>> => post<T>(app, query, variables, key);

async function cypher<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const session = driver.session({ database: config.neo4j.database });
  try {
    return (await session.run(query, params)).records.map((r) => r.toObject() as T);
  } finally {
    await session.close();
  }
}

async function count(query: string, params: Record<string, unknown> = {}): Promise<number> {
  return (await cypher<{ n: number }>(query, params))[0]?.n ?? 0;
}

/** Two items that share a value and have no edge and no co-purchaser yet: a fresh pair for a race. */
async function freshPairs(n: number): Promise<Array<{ i: string; j: string; kinds: string[] }>> {
  return cypher<{ i: string; j: string; kinds: string[] }>(
    `MATCH (i:Item), (j:Item)
     WHERE i.id < j.id AND NOT (i)--(j) AND NOT EXISTS { (i)<-[:PURCHASED]-(:User)-[:PURCHASED]->(j) }
       AND any(v IN i.attrs WHERE v IN j.attrs)
     WITH i, j LIMIT $n
     UNWIND [v IN i.attrs WHERE v IN j.attrs | split(v, ':')[0]] AS kind
     RETURN i.id AS i, j.id AS j, collect(DISTINCT kind) AS kinds`,
    { n: neo4j.int(n) },
  );
}

const PURCHASE = 'mutation P($u: ID!, $i: ID!, $r: Float!) { recordPurchase(userId: $u, itemId: $i, rating: $r) { newUser positive } }';
const HIDE = 'mutation H($i: ID!) { hideItem(itemId: $i) { id hidden } }';
const ADD = 'mutation A($input: AddItemInput!) { addItem(input: $input) { item { id } recommendable } }';
const RECOMMEND = 'query R($u: ID!, $k: Int!) { recommend(userId: $u, k: $k) { rank item { id } explanation { text } } }';

beforeAll(async () => {
  graph = await GraphClient.connect(config.neo4j);
  const auth = config.neo4j.password ? neo4j.auth.basic(config.neo4j.user, config.neo4j.password) : undefined;
  driver = neo4j.driver(config.neo4j.uri, auth, { disableLosslessIntegers: true });
  const ingest = new IngestRepository(graph);
  await ingest.deleteAll();
  await importDataset(ingest, syntheticSource(world));
  const backend = await initBackend({ prefer: 'wasm' });
  const trained = await runTrainingPipeline(new TrainingRepository(graph), new CheckpointStore(checkpointDir), {
    epochs: 6,
    patience: 3,
    backend: backend.name,
    hyper: { hidden: [16, 8], learningRate: 0.01, alpha: 10, batchSize: 512, reconstruction: 'sampled', sampledColumns: 32, seed: 5 },
  });
  trained.model.dispose();
  const captured = capturedLogger('info');
  logLines = captured.lines;
  app = await createApp({ config, logger: captured.logger });
  await app.init();
});

afterAll(async () => {
  await app?.close();
  await driver?.close();
  await graph?.close();
  rmSync(checkpointDir, { recursive: true, force: true });
});

describe('1. every write is authorised', () => {
  it('refuses anonymous hideItem, recordPurchase and addItem with 401, and writes nothing', async () => {
    const hide = await gql(HIDE, { i: '54' });
    expect(hide.status).toBe(401);
    expect(hide.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_MISSING' });
    expect(await count('MATCH (i:Item {id: "54"}) WHERE i.hidden = true RETURN count(i) AS n')).toBe(0);

    const buy = await gql(PURCHASE, { u: 'anonymous-buyer', i: '3', r: 5 });
    expect(buy.status).toBe(401);
    expect(await count('MATCH (u:User {id: "anonymous-buyer"}) RETURN count(u) AS n')).toBe(0);

    const add = await gql(ADD, { input: { id: 'xss', title: '<script>alert(1)</script>', attributes: [{ kind: 'genre', value: 'genre-1' }] } });
    expect(add.status).toBe(401);
    expect(await count('MATCH (i:Item {id: "xss"}) RETURN count(i) AS n')).toBe(0);

    const forged = await gql(HIDE, { i: '54' }, 'change-me');
    expect(forged.status).toBe(401);
    expect(forged.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_INVALID' });
  });

  it('lets a writer key record purchases but not edit the catalogue (403); an admin key does both', async () => {
    const bought = await gql<{ recordPurchase: { positive: boolean } }>(PURCHASE, { u: 'writer-buyer', i: '3', r: 5 }, WRITER_KEY);
    expect(bought.status).toBe(200);
    expect(bought.data!.recordPurchase.positive).toBe(true);
    const hide = await gql(HIDE, { i: '54' }, WRITER_KEY);
    expect(hide.status).toBe(403);
    expect(hide.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_MISSING' });
    const retrain = await gql('mutation { retrainModel(options: {epochs: 1}) { id } }', {}, WRITER_KEY);
    expect(retrain.status).toBe(403);

    const hidden = await gql<{ hideItem: { hidden: boolean } }>(HIDE, { i: '54' }, ADMIN_KEY);
    expect(hidden.data!.hideItem.hidden).toBe(true);
    await gql('mutation { hideItem(itemId: "54", hidden: false) { id } }', {}, ADMIN_KEY);
    const adminBuys = await gql(PURCHASE, { u: 'writer-buyer', i: '4', r: 5 }, ADMIN_KEY);
    expect(adminBuys.status).toBe(200);
  });

  it('keeps writes off, not open, on a server configured without keys (403 naming the variable)', async () => {
    const bare = await createApp({ config: { ...config, auth: { adminKeys: [], writerKeys: [] } }, logger: capturedLogger().logger });
    try {
      await bare.init();
      const buy = await post(bare, PURCHASE, { u: 'nobody-writes', i: '3', r: 5 }, WRITER_KEY);
      expect(buy.status).toBe(403);
      expect(buy.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WRITES_DISABLED' });
      expect(buy.errors![0]!.message).toMatch(/WRITER_API_KEYS/);
      expect(await count('MATCH (u:User {id: "nobody-writes"}) RETURN count(u) AS n')).toBe(0);
      // Reads stay public.
      expect((await post(bare, RECOMMEND, { u: '1', k: 2 })).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('2. limits that count work, a time budget, per-client rate limits', () => {
  const audienceAliases = (n: number, k: number): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}:audience(itemId:"1",k:${k}){userId}`).join(' ')} }`;

  it('prices fields by their work: audience and explain grow with k and with the catalogue', async () => {
    const cost = async (query: string): Promise<number> => (await gql(query)).extensions!.cost!.requested;
    const audience1 = await cost('{ audience(itemId: "1", k: 1) { userId } }');
    const audience50 = await cost('{ audience(itemId: "1", k: 50) { userId } }');
    const item = await cost('{ item(itemId: "1") { id } }');
    expect(audience50).toBeGreaterThan(audience1);
    // Scoring one item for every user is far more work than reading one item.
    expect(audience1).toBeGreaterThan(3 * item);
    const explain = await cost('{ explain(userId: "1", itemId: "9") { text } }');
    expect(explain).toBeGreaterThan(3 * item);
    // More purchases in the catalogue: audience costs more.
    for (let n = 0; n < 40; n++) await gql(PURCHASE, { u: `cost-grower-${n % 4}`, i: String(1 + n), r: 5 }, WRITER_KEY);
    expect(await cost('{ audience(itemId: "1", k: 1) { userId } }')).toBeGreaterThanOrEqual(audience1);
  });

  it('refuses the alias attacks before running anything: 400 with the cost, or the parser limit', async () => {
    const service = app.get(RecommendService);
    const audience = jest.spyOn(service, 'audience');
    try {
      // The reported attack: 2,400 aliases of audience(k: 1).
      const attack = await gql(audienceAliases(2400, 1));
      expect(attack.status).toBe(400);
      expect(['GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT']).toContain(attack.errors![0]!.extensions.code);
      // Fewer aliases, more work each: the cost model refuses it.
      const heavy = await gql(audienceAliases(300, 100));
      expect(heavy.status).toBe(400);
      expect(heavy.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX', maxCost: config.limits.maxCost });
      expect(heavy.errors![0]!.extensions.cost).toBeGreaterThan(config.limits.maxCost);
      expect(heavy.data).toBeUndefined();
      const explains = `{ ${Array.from({ length: 100 }, (_, i) => `e${i}: explain(userId: "${1 + (i % 50)}", itemId: "${10 + i}") { text path { nodes { id } } }`).join(' ')} }`;
      const explainAttack = await gql(explains);
      expect(explainAttack.status).toBe(400);
      expect(explainAttack.errors![0]!.extensions.reason).toBe('QUERY_TOO_COMPLEX');
      expect(audience).not.toHaveBeenCalled();
    } finally {
      audience.mockRestore();
    }
  });

  it('answers GET /health while the largest admitted query is still running', async () => {
    const one = (await gql(audienceAliases(1, 1))).extensions!.cost!.requested;
    // The largest the cost limit admits (within the parser's token limit).
    const aliases = Math.min(Math.floor(config.limits.maxCost / one), 600);
    const service = app.get(RecommendService);
    const original = service.audience.bind(service);
    const order: string[] = [];
    let health: Promise<number> | null = null;
    // Once the query's work has started, a health check arrives; it must not wait for the rest.
    const spy = jest.spyOn(service, 'audience').mockImplementation((itemId, k, histories) => {
      health ??= request(app.getHttpServer())
        .get('/health')
        .then((res) => {
          order.push('health');
          return res.status;
        });
      return original(itemId, k, histories);
    });
    try {
      const answer = await gql(audienceAliases(aliases, 1));
      order.push('query');
      expect(answer.status).toBe(200);
      expect(await health).toBe(200);
      expect(spy).toHaveBeenCalledTimes(aliases);
      // Each alias is one unit of scheduled work: the health check got in between them.
      expect(order).toEqual(['health', 'query']);
    } finally {
      spy.mockRestore();
    }
  });

  it('stops a request at its wall-clock budget: the work left fails with REQUEST_BUDGET_EXCEEDED (503)', async () => {
    const tight = await createApp({ config: { ...config, limits: { ...config.limits, requestBudgetMs: 1 } }, logger: capturedLogger().logger });
    try {
      await tight.init();
      const service = tight.get(RecommendService);
      const audience = jest.spyOn(service, 'audience');
      // Each alias waits for the previous one, so the 1 ms budget is spent after the first few.
      const answer = await post<unknown>(tight, `{ ${Array.from({ length: 200 }, (_, i) => `a${i}:audience(itemId:"1",k:1){userId}`).join(' ')} }`);
      expect(answer.status).toBe(503);
      expect(answer.errors!.some((e) => e.extensions.code === 'REQUEST_BUDGET_EXCEEDED')).toBe(true);
      expect(audience.mock.calls.length).toBeLessThan(200);
    } finally {
      await tight.close();
    }
  });

  it('limits each client: 429 with Retry-After over the request count or the cost budget, per key or address', async () => {
    const limited = await createApp({
      config: { ...config, limits: { ...config.limits, rateRequests: 5, rateCost: 300, maxCost: 300, rateWindowSeconds: 60 } },
      logger: capturedLogger().logger,
    });
    try {
      await limited.init();
      for (let n = 0; n < 5; n++) expect((await post(limited, '{ model { version } }')).status).toBe(200);
      const sixth = await post(limited, '{ model { version } }');
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
      expect(sixth.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_REQUESTS' });
      // Another client (an API key) has its own budget; a costly query uses it up at once.
      const costly = '{ audience(itemId: "1", k: 100) { userId score } }';
      const first = await post(limited, costly, {}, ADMIN_KEY);
      expect(first.status).toBe(200);
      expect(first.extensions!.cost!.requested).toBeGreaterThan(150);
      const second = await post(limited, costly, {}, ADMIN_KEY);
      expect(second.status).toBe(429);
      expect(second.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'COST_BUDGET_USED_UP' });
      expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('3. concurrent writes', () => {
  const duplicates = 'MATCH (a:Item)-[r]->(b:Item) WITH a, b, type(r) AS t, count(*) AS c WHERE c > 1 RETURN count(*) AS n';

  it('ten parallel identical purchases leave one PURCHASED and one edge per pair and network', async () => {
    const [pair] = await freshPairs(1);
    expect(pair).toBeDefined();
    const { i, j, kinds } = pair!;
    expect((await gql(PURCHASE, { u: 'racer', i: j, r: 5 }, WRITER_KEY)).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => gql<{ recordPurchase: { newUser: boolean } }>(PURCHASE, { u: 'racer', i, r: 5 }, WRITER_KEY)),
    );
    for (const a of answers) expect(a.status).toBe(200);
    expect(answers.filter((a) => a.data!.recordPurchase.newUser)).toHaveLength(0);
    expect(await count('MATCH (:User {id: "racer"})-[p:PURCHASED]->(:Item {id: $i}) RETURN count(p) AS n', { i })).toBe(1);
    expect(await count(duplicates)).toBe(0);
    const edges = await cypher<{ t: string; w: number }>('MATCH (:Item {id: $i})-[r]-(:Item {id: $j}) RETURN type(r) AS t, r.weight AS w', { i, j });
    expect(edges.map((e) => e.t).sort()).toEqual(kinds.map((k) => k.toUpperCase()).sort());
    for (const e of edges) expect(e.w).toBe(1);
  });

  it('a brand-new user written ten times at once exists once, and exactly one answer says newUser', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => gql<{ recordPurchase: { newUser: boolean } }>(PURCHASE, { u: 'first-timer', i: '7', r: 5 }, WRITER_KEY)),
    );
    expect(answers.filter((a) => a.data!.recordPurchase.newUser)).toHaveLength(1);
    expect(await count('MATCH (u:User {id: "first-timer"}) RETURN count(u) AS n')).toBe(1);
    expect(await count('MATCH (:User {id: "first-timer"})-[p:PURCHASED]->() RETURN count(p) AS n')).toBe(1);
  });

  it('two users completing the same pair at once make one edge that counts both of them', async () => {
    const [, pair] = await freshPairs(2);
    const { i, j } = pair!;
    await gql(PURCHASE, { u: 'pair-a', i: j, r: 5 }, WRITER_KEY);
    await gql(PURCHASE, { u: 'pair-b', i, r: 5 }, WRITER_KEY);
    await Promise.all([
      ...Array.from({ length: 5 }, () => gql(PURCHASE, { u: 'pair-a', i, r: 5 }, WRITER_KEY)),
      ...Array.from({ length: 5 }, () => gql(PURCHASE, { u: 'pair-b', i: j, r: 5 }, WRITER_KEY)),
    ]);
    expect(await count(duplicates)).toBe(0);
    const edges = await cypher<{ w: number }>('MATCH (:Item {id: $i})-[r]-(:Item {id: $j}) RETURN r.weight AS w', { i, j });
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) expect(e.w).toBe(2);
  });
});

describe('4. retraining runs beside serving, not on its thread', () => {
  it('trains in a worker thread: the server thread stays mostly idle, /health answers throughout, the new model is swapped in', async () => {
    const before = (await gql<{ model: { version: string } }>('{ model { version } }')).data!.model.version;
    const started = await gql<{ retrainModel: { id: string } }>(
      'mutation R($o: RetrainOptionsInput) { retrainModel(options: $o) { id } }',
      { o: { epochs: 4, hidden: [32, 8], batchSize: 512, scoring: 'paper' } },
      ADMIN_KEY,
    );
    expect(started.status).toBe(200);
    const id = started.data!.retrainModel.id;
    const jobs = app.get(TrainingJobService);
    const elu0 = performance.eventLoopUtilization();
    const health: number[] = [];
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      health.push((await request(app.getHttpServer()).get('/health')).status);
      status = (await gql<{ trainingJob: { status: string } }>('query J($id: ID!) { trainingJob(id: $id) { status } }', { id })).data!.trainingJob.status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const elu = performance.eventLoopUtilization(elu0);
    expect(status).toBe('SUCCEEDED');
    expect((await jobs.find(id)).threadId).toBeGreaterThan(0);
    expect(health.length).toBeGreaterThan(1);
    expect(health.every((s) => s === 200)).toBe(true);
    // On the serving thread, training kept the loop busy nearly all the time (utilisation ~1);
    // in the worker, this thread only answers the polls above.
    expect(elu.utilization).toBeLessThan(0.5);
    const after = (await gql<{ model: { version: string } }>('{ model { version } }')).data!.model.version;
    expect(after).not.toBe(before);
    expect((await gql(RECOMMEND, { u: '1', k: 3 })).status).toBe(200);
  });
});

describe('5. client mistakes are 4xx GraphQL errors with codes, never 500', () => {
  it('answers wrong, null and missing variables with 400 BAD_USER_INPUT and logs no error', async () => {
    const errorsBefore = logLines.filter((l) => l.level >= ERROR_LEVEL).length;
    const query = 'query($k: Int!) { recommend(userId: "1", k: $k) { rank } }';
    for (const variables of [{ k: '5' }, { k: null }, {}]) {
      const answer = await gql(query, variables);
      expect(answer.status).toBe(400);
      expect(answer.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(answer.errors![0]!.message).toMatch(/\$k/);
    }
    const huge = await gql('{ recommend(userId: "1", k: 1000000) { rank } }');
    expect(huge.status).toBe(400);
    expect(huge.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'k' });
    const unknown = await gql('{ recommend(userId: "nobody-at-all", k: 3) { rank } }');
    expect(unknown.status).toBe(404);
    expect(unknown.errors![0]!.extensions.code).toBe('NOT_FOUND');
    const syntax = await gql('{ recommend(userId: ');
    expect(syntax.status).toBe(400);
    expect(logLines.filter((l) => l.level >= ERROR_LEVEL).length).toBe(errorsBefore);
  });

  it('answers a body over the limit with 413 and a non-JSON body with 400, both as GraphQL error bodies', async () => {
    const big = await request(app.getHttpServer())
      .post('/graphql')
      .set('content-type', 'application/json')
      .send({ query: 'query($u: ID!) { user(userId: $u) { id } }', variables: { u: 'x'.repeat(1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/application\/json/);
    expect(big.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const broken = await request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json').send('{"query": ');
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

describe('6. Neo4j outages', () => {
  it('answers 503 quickly while Neo4j does not answer, keeps job errors free of hosts, and recovers on its own', async () => {
    const proxy = await FaultyTcpProxy.start(Number(new URL(config.neo4j.uri).port));
    const viaProxy: AppConfig = {
      ...config,
      neo4j: { ...config.neo4j, uri: `bolt://127.0.0.1:${proxy.port}`, connectTimeoutMs: 500, acquisitionTimeoutMs: 1000, maxRetryTimeMs: 1000 },
    };
    const flaky = await createApp({ config: viaProxy, logger: capturedLogger('error').logger, tuning: { explanationCacheTtlMs: 0 } });
    try {
      await flaky.init();
      expect((await post(flaky, RECOMMEND, { u: '2', k: 3 })).status).toBe(200);
      proxy.blackhole();
      // Explanations need the graph: 503 with a code, in about a second rather than 30.
      const down = await post<unknown>(flaky, RECOMMEND, { u: '2', k: 3 });
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBeDefined();
      expect(down.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'GRAPH_UNAVAILABLE' });
      expect(JSON.stringify(down.errors)).not.toMatch(/127\.0\.0\.1|acquisition|bolt:/i);
      // Scores alone are in memory: still served.
      expect((await post(flaky, 'query R($u: ID!) { recommend(userId: $u, k: 3) { rank } }', { u: '2' })).status).toBe(200);
      const health = await request(flaky.getHttpServer()).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.neo4j.up).toBe(false);
      // A retrain is recorded in the graph before it starts: refused with the same code, without host or port.
      const job = await post<unknown>(flaky, 'mutation { retrainModel(options: {epochs: 1}) { id } }', {}, ADMIN_KEY);
      expect(job.status).toBe(503);
      expect(job.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'GRAPH_UNAVAILABLE' });
      expect(JSON.stringify(job.errors)).not.toMatch(/127\.0\.0\.1|:\d{4,5}|bolt/);

      proxy.restore();
      let recovered = 0;
      for (let attempt = 0; attempt < 50 && recovered !== 200; attempt++) {
        recovered = (await post(flaky, RECOMMEND, { u: '2', k: 3 })).status;
        if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(recovered).toBe(200);
      expect((await request(flaky.getHttpServer()).get('/health')).status).toBe(200);
    } finally {
      await flaky.close();
      await proxy.close();
    }
  }, 60_000);
});

describe('7. configuration and import', () => {
  it('serves purchase times past 2038 (and any 64-bit-safe second count) as seconds and as ISO date-times', async () => {
    // An import stores the dataset's timestamps as they come (Float64 columns); a year-2100 one:
    const at = 4_102_444_800;
    const [pair] = await cypher<{ user: string; item: string }>(
      'MATCH (u:User)-[p:PURCHASED]->(i:Item) WITH u, p, i ORDER BY u.id, i.id LIMIT 1 SET p.at = $at RETURN u.id AS user, i.id AS item',
      { at },
    );
    const answer = await gql<{ user: { purchases: Array<{ at: number | null; purchasedAt: string | null; item: { id: string } }> } }>(
      'query U($u: ID!) { user(userId: $u) { purchases { at purchasedAt item { id } } } }',
      { u: pair!.user },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    const purchase = answer.data!.user.purchases.find((p) => p.item.id === pair!.item)!;
    expect(purchase).toEqual({ at, purchasedAt: '2100-01-01T00:00:00.000Z', item: { id: pair!.item } });

    const recorded = await gql<{ recordPurchase: { at: number; recordedAt: string } }>(
      'mutation P($u: ID!, $i: ID!) { recordPurchase(userId: $u, itemId: $i, rating: 5) { at recordedAt } }',
      { u: 'time-traveller', i: pair!.item },
      WRITER_KEY,
    );
    expect(recorded.errors).toBeUndefined();
    expect(new Date(recorded.data!.recordPurchase.recordedAt).getTime()).toBe(recorded.data!.recordPurchase.at * 1000);
    expect(Math.abs(recorded.data!.recordPurchase.at - Date.now() / 1000)).toBeLessThan(600);
  });

  it("refuses retrainModel with an unknown attribute kind up front: BAD_USER_INPUT naming it and the graph's kinds, no job started", async () => {
    await app.get(TrainingJobService).idle();
    const answer = await gql<{ retrainModel: { id: string } }>(
      'mutation { retrainModel(options: {epochs: 1, kinds: ["actor", "nope"]}) { id } }',
      {},
      ADMIN_KEY,
    );
    expect(answer.status).toBe(400);
    expect(answer.errors![0]!.message).toBe('options.kinds: unknown attribute kind "nope" (known: actor, director, genre)');
    expect(answer.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UNKNOWN_ATTRIBUTE_KIND',
      field: 'options.kinds',
      unknown: ['nope'],
    });
    // Nothing is running: a valid retrain starts at once (and is cancelled at shutdown).
    const valid = await gql<{ retrainModel: { id: string } }>('mutation { retrainModel(options: {epochs: 1, kinds: ["genre"]}) { id status } }', {}, ADMIN_KEY);
    expect(valid.errors).toBeUndefined();
    await app.get(TrainingJobService).idle();
  });
});
