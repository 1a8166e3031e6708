/**
 * npm run bench:chaos -- [--soak-minutes 10] [--soak-rate 100] [--rate 20] [--retrain-epochs 5] [--seed 7] [--compiled] [--force]
 *
 * The adversarial battery against a real `eran serve` (a child process) and the real local Neo4j
 * of scripts/neo4j.sh (NEO4J_BOLT_PORT, NEO4J_DATA_DIR: the bench stops and restarts it, so it
 * must be the launcher's server). It replaces the database with a small synthetic world (refused
 * unless the database is empty or already holds a synthetic one, or --force), trains a small model
 * into a temporary CHECKPOINT_DIR, then, in order:
 *   1. bad input: unauthorised and wrongly authorised writes, malformed variables, unknown ids and
 *      kinds, costly and deep queries, oversized and broken bodies, a flood from one address; the
 *      node and relationship counts before and after must match;
 *   2. races: identical purchases in parallel, and two new users completing the same item pair at once;
 *   3. a retrain under paced load (p99 while it runs);
 *   4. Neo4j stopped and started under paced load, writes included (p99 from the stop until the
 *      graph answers again);
 *   5. a soak at --soak-rate req/s for --soak-minutes (server RSS before and after);
 *   6. duplicate network edges (must be 0).
 * Prints one table: requests sent, answers by HTTP status and GraphQL code, and the figures above.
 * Requests carry one of 20 API keys in turn (the per-client limits count per key), so the default
 * limits stay on and only the flood of phase 1 meets them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { GraphClient } from '../src/graph/graph-client';
import { IngestRepository } from '../src/ingest/ingest.repository';
import { importDataset } from '../src/ingest/import-dataset';
import { TransactionalWriter } from '../src/ingest/transactional-writer';
import { LocalNeo4j } from '../src/ingest/local-neo4j';
import { generateMovieWorld, syntheticSource, type SyntheticWorld } from '../src/datasets/synthetic';
import { CatalogRepository } from '../src/catalog/catalog.repository';
import { initBackend } from '../src/model/backend';
import { CheckpointStore } from '../src/served-model/checkpoint-store';
import { runTrainingPipeline } from '../src/training/train-pipeline';
import { TrainingRepository } from '../src/training/training.repository';
import { newApiKey, startApiServer, type ApiServer } from './api-server';
import { benchCommand, positiveNumber } from './args';

interface Options {
  soakMinutes: number;
  soakRate: number;
  rate: number;
  retrainEpochs: number;
  seed: number;
  compiled: boolean;
  force: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o = benchCommand('bench:chaos', "the adversarial battery against a real eran serve and the launcher's Neo4j (replaces the database)")
    .option('--soak-minutes <n>', 'length of the soak', positiveNumber, 10)
    .option('--soak-rate <n>', 'requests per second of the soak', positiveNumber, 100)
    .option('--rate <n>', 'requests per second of the paced load during the retrain and the Neo4j restart', positiveNumber, 20)
    .option('--retrain-epochs <n>', 'epochs of the retrain under load', positiveNumber, 5)
    .option('--seed <n>', 'seed of the synthetic world', positiveNumber, 7)
    .option('--compiled', 'run the server from dist/ (npm run build first)', false)
    .option('--force', 'replace a database that does not hold a synthetic world', false)
    .parse(argv)
    .opts<Options>();
  return { ...o, retrainEpochs: Math.round(o.retrainEpochs), seed: Math.round(o.seed) };
}

// ---- requests and the tally of answers -------------------------------------------------------

interface Answer {
  readonly status: number;
  /** The first error's extensions.code, `ok` without errors, `no answer` when the request failed. */
  readonly code: string;
  readonly ms: number;
  readonly data: Record<string, unknown> | null;
}

/** Every request of the run, counted by HTTP status and GraphQL code. */
class Tally {
  sent = 0;
  readonly answers = new Map<string, number>();

  record(a: Answer): Answer {
    this.sent++;
    const key = `${a.status === 0 ? '-' : a.status} ${a.code}`;
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
    return a;
  }
}

const tally = new Tally();

interface Send {
  readonly query?: string;
  readonly variables?: Record<string, unknown>;
  readonly key?: string;
  /** A raw body instead of {query, variables}. */
  readonly body?: string;
  readonly timeoutMs?: number;
}

async function send(url: string, s: Send): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (s.key !== undefined) headers.authorization = `Bearer ${s.key}`;
  const started = performance.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers,
      body: s.body ?? JSON.stringify({ query: s.query, variables: s.variables ?? {} }),
      signal: AbortSignal.timeout(s.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let parsed: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: string } }> } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = { errors: [{ extensions: { code: 'non-JSON body' } }] };
    }
    const code = parsed.errors?.length ? String(parsed.errors[0]?.extensions?.code ?? 'no code') : 'ok';
    return tally.record({ status: response.status, code, ms: performance.now() - started, data: parsed.data ?? null });
  } catch {
    return tally.record({ status: 0, code: 'no answer', ms: performance.now() - started, data: null });
  }
}

async function inBatches<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

const quantile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

interface PacedResult {
  readonly latencies: number[];
  readonly answers: Map<string, number>;
}

/** Open loop: request n leaves at start + n / rate whatever happened to the others; latency counted from then. */
async function paced(url: string, rate: number, next: (n: number) => Send, keepGoing: (elapsedMs: number) => boolean): Promise<PacedResult> {
  const latencies: number[] = [];
  const answers = new Map<string, number>();
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let n = 0; ; n++) {
    const planned = start + (n * 1000) / rate;
    if (!keepGoing(planned - start)) break;
    const wait = planned - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      send(url, { timeoutMs: 15_000, ...next(n) }).then((a) => {
        latencies.push(performance.now() - planned);
        const key = `${a.status} ${a.code}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { latencies, answers };
}

// ---- the world, the graph and the server ------------------------------------------------------

interface Fixture {
  readonly users: readonly string[];
  readonly items: readonly string[];
  /** Item pairs that share an attribute value (a purchase of both makes or bumps a network edge). */
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  readonly kinds: readonly string[];
}

function sharingPairs(world: SyntheticWorld, n: number): Array<[string, string]> {
  const byValue = new Map<string, string[]>();
  for (const a of world.attributes) {
    const key = `${a.kind}:${a.value}`;
    const list = byValue.get(key) ?? [];
    list.push(a.item);
    byValue.set(key, list);
  }
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const list of byValue.values()) {
    for (let i = 0; i + 1 < list.length && pairs.length < n; i += 2) {
      const [a, b] = [list[i]!, list[i + 1]!].sort();
      if (a === b || seen.has(`${a}|${b}`)) continue;
      seen.add(`${a}|${b}`);
      pairs.push([a!, b!]);
    }
  }
  return pairs;
}

async function prepare(config: AppConfig, o: Options, checkpointDir: string): Promise<Fixture> {
  const world = generateMovieWorld({ seed: o.seed, users: 400, items: 500 });
  const graph = await GraphClient.connect(config.neo4j);
  try {
    const ingest = new IngestRepository(graph);
    const meta = await ingest.readMeta();
    if (!o.force && !(await ingest.isEmpty()) && !(meta?.source ?? '').startsWith('synthetic')) {
      throw new Error(
        `the database at ${config.neo4j.uri} holds ${meta?.source ?? 'data'}; the bench replaces it: point it at another (NEO4J_BOLT_PORT) or pass --force`,
      );
    }
    let t0 = Date.now();
    const summary = await importDataset(ingest, syntheticSource(world), { writer: new TransactionalWriter(ingest, { replace: true }) });
    console.error(
      `chaos bench: imported ${summary.items} items, ${summary.usersImported} users, ${summary.purchases} purchases in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    t0 = Date.now();
    const backend = await initBackend({ prefer: config.tfBackend });
    const trained = await runTrainingPipeline(new TrainingRepository(graph), new CheckpointStore(checkpointDir), {
      epochs: 4,
      patience: 3,
      backend: backend.name,
      hyper: { hidden: [32, 8], learningRate: 0.01, alpha: 10, batchSize: 1024, reconstruction: 'sampled', seed: 5 },
    });
    trained.model.dispose();
    console.error(`chaos bench: trained a small model on ${backend.name} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const catalog = new CatalogRepository(graph);
    const users = await catalog.listUserIds(1000);
    const items = (await catalog.listItemsPage('', 1000)).map((i) => i.id);
    return { users, items, pairs: sharingPairs(world, 40), kinds: summary.kinds };
  } finally {
    await graph.close();
  }
}

async function graphCounts(config: AppConfig): Promise<{ nodes: number; relationships: number }> {
  const graph = await GraphClient.connect(config.neo4j);
  try {
    const repo = new IngestRepository(graph);
    const sum = (rows: ReadonlyArray<{ count: number }>): number => rows.reduce((s, r) => s + r.count, 0);
    return { nodes: sum(await repo.countNodes()), relationships: sum(await repo.countRelationships()) };
  } finally {
    await graph.close();
  }
}

/** The check of the issue, verbatim: item pairs joined more than once by the same relationship type. */
async function duplicateEdges(config: AppConfig): Promise<number> {
  const auth = config.neo4j.password ? neo4j.auth.basic(config.neo4j.user, config.neo4j.password) : undefined;
  const driver = neo4j.driver(config.neo4j.uri, auth, { disableLosslessIntegers: true });
  const session = driver.session({ database: config.neo4j.database });
  try {
    const result = await session.run('MATCH (a:Item)-[r]->(b:Item) WITH a,b,type(r) AS t,count(*) AS c WHERE c > 1 RETURN count(*) AS n');
    return result.records[0]?.get('n') as number;
  } finally {
    await session.close();
    await driver.close();
  }
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

// ---- the phases -------------------------------------------------------------------------------

const RECOMMEND = 'query R($u: ID!) { recommend(userId: $u, k: 10) { rank score item { id title } explanation { attribute text } } }';
const USER = 'query U($u: ID!) { user(userId: $u) { id purchases { at purchasedAt item { id } } } }';
const SIMILAR = 'query S($i: ID!, $u: ID!) { similarItems(itemId: $i, userId: $u, k: 10) { rank item { id } } }';
const PURCHASE = 'mutation P($u: ID!, $i: ID!, $r: Float!) { recordPurchase(userId: $u, itemId: $i, rating: $r) { newUser positive } }';
const ADD = 'mutation A($input: AddItemInput!) { addItem(input: $input) { item { id } } }';
const HIDE = 'mutation H($i: ID!) { hideItem(itemId: $i) { id } }';
const RETRAIN = 'mutation T($o: RetrainOptionsInput) { retrainModel(options: $o) { id } }';

interface Keys {
  readonly admin: string;
  readonly writers: readonly string[];
}

/** Phase 1: requests a client may get wrong or an attacker may send; none may write anything. */
async function badInput(url: string, f: Fixture, keys: Keys): Promise<number> {
  const writer = keys.writers[0]!;
  const u = f.users[0]!;
  const i = f.items[0]!;
  const requests: Send[] = [
    // Writes without a key, with an unknown key, with a key lacking the role.
    { query: PURCHASE, variables: { u, i, r: 5 } },
    { query: HIDE, variables: { i } },
    { query: ADD, variables: { input: { id: 'chaos-new', title: 'x', attributes: [{ kind: 'genre', value: 'drama' }] } } },
    { query: PURCHASE, variables: { u, i, r: 5 }, key: newApiKey() },
    { query: HIDE, variables: { i }, key: writer },
    { query: RETRAIN, variables: { o: { epochs: 1 } }, key: writer },
    // Malformed variables and arguments.
    { query: PURCHASE, variables: { u, i, r: 'five' }, key: writer },
    { query: PURCHASE, variables: { u, i, r: null }, key: writer },
    { query: PURCHASE, variables: { u, i }, key: writer },
    { query: PURCHASE, variables: { u, i, r: 1e308 }, key: writer },
    { query: 'query { recommend(userId: "1", k: 1000000) { rank } }' },
    { query: 'query { recommend(userId: "1", k: -3) { rank } }' },
    { query: RECOMMEND, variables: { u: ['not', 'an', 'id'] } },
    // Unknown ids and kinds.
    { query: RECOMMEND, variables: { u: 'no-such-user' } },
    { query: PURCHASE, variables: { u, i: 'no-such-item', r: 5 }, key: writer },
    { query: HIDE, variables: { i: 'no-such-item' }, key: keys.admin },
    { query: ADD, variables: { input: { id: i, title: 'duplicate id', attributes: [{ kind: 'genre', value: 'drama' }] } }, key: keys.admin },
    { query: ADD, variables: { input: { id: 'chaos-kind', title: 'x', attributes: [{ kind: 'item', value: 'x' }] } }, key: keys.admin },
    { query: RETRAIN, variables: { o: { epochs: 1, kinds: ['nope'] } }, key: keys.admin },
    { query: RETRAIN, variables: { o: { epochs: 0 } }, key: keys.admin },
    // Documents: syntax, unknown fields, depth, cost, aliases.
    { query: '{ recommend(userId: ' },
    { query: '{ nope }' },
    { query: `{ ${Array.from({ length: 2400 }, (_, n) => `a${n}: audience(itemId: "${i}", k: 1) { userId }`).join(' ')} }` },
    { query: `{ ${Array.from({ length: 200 }, (_, n) => `e${n}: explain(userId: "${u}", itemId: "${f.items[n % f.items.length]}") { text }`).join(' ')} }` },
    { query: `query { user(userId: "${u}") ${'{ purchases { item '.repeat(12)}{ id }${' } }'.repeat(12)} }` },
    // Bodies.
    { body: JSON.stringify({ query: USER, variables: { u: 'x'.repeat(1024 * 1024) } }) },
    { body: '{"query": ' },
    { body: JSON.stringify([{ query: '{ model { version } }' }, { query: '{ model { version } }' }]) },
    { body: '' },
  ];
  // Each wrong request 20 times, 16 in flight at once.
  const all = Array.from({ length: 20 }, () => requests).flat();
  await inBatches(all, 16, (s) => send(url, s));
  // A flood from one address without a key: the per-address limit answers 429 once it is spent.
  await inBatches(
    Array.from({ length: 1500 }, () => 0),
    50,
    () => send(url, { query: '{ model { version } }' }),
  );
  return requests.length;
}

/** Phase 2: identical purchases at once, and two new users completing the same item pair at once. */
async function races(url: string, f: Fixture, keys: Keys): Promise<void> {
  const key = (n: number): string => keys.writers[n % keys.writers.length]!;
  await inBatches([...f.pairs.entries()], 4, async ([p, [a, b]]) => {
    const u1 = `chaos-race-${p}-a`;
    const u2 = `chaos-race-${p}-b`;
    await Promise.all([
      send(url, { query: PURCHASE, variables: { u: u1, i: a, r: 5 }, key: key(p) }),
      send(url, { query: PURCHASE, variables: { u: u2, i: a, r: 5 }, key: key(p + 1) }),
    ]);
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => send(url, { query: PURCHASE, variables: { u: n % 2 === 0 ? u1 : u2, i: b, r: 5 }, key: key(p + n) })),
    );
  });
}

/** The paced mix of reads (and, when asked, purchases) that the retrain, outage and soak phases run. */
function mix(f: Fixture, keys: Keys, writes: boolean): (n: number) => Send {
  return (n) => {
    const key = keys.writers[n % keys.writers.length]!;
    const u = f.users[(n * 7) % f.users.length]!;
    switch (n % 10) {
      case 0:
      case 1:
        return { query: RECOMMEND, variables: { u }, key };
      case 2:
      case 3:
        return { query: USER, variables: { u }, key };
      case 4:
        return { query: SIMILAR, variables: { i: f.items[n % f.items.length], u }, key };
      case 5:
        return writes
          ? { query: PURCHASE, variables: { u: `chaos-mix-${n % 97}`, i: f.items[(n * 13) % f.items.length], r: 4 + (n % 2) }, key }
          : { query: USER, variables: { u }, key };
      default:
        return { query: 'query R($u: ID!) { recommend(userId: $u, k: 10) { rank item { id } } }', variables: { u }, key };
    }
  };
}

interface Window {
  readonly seconds: number;
  readonly result: PacedResult;
}

async function duringRetrain(url: string, f: Fixture, keys: Keys, o: Options): Promise<Window & { status: string }> {
  const started = await send(url, { query: RETRAIN, variables: { o: { epochs: o.retrainEpochs } }, key: keys.admin });
  const id = (started.data?.retrainModel as { id?: string } | undefined)?.id;
  if (id === undefined) throw new Error(`retrainModel was refused: HTTP ${started.status} ${started.code}`);
  let status = 'RUNNING';
  const t0 = performance.now();
  const poller = (async () => {
    while (status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const a = await send(url, { query: 'query J($id: ID!) { trainingJob(id: $id) { status } }', variables: { id }, key: keys.admin });
      status = (a.data?.trainingJob as { status?: string } | undefined)?.status ?? status;
    }
  })();
  const result = await paced(url, o.rate, mix(f, keys, true), () => status === 'RUNNING');
  await poller;
  return { seconds: (performance.now() - t0) / 1000, result, status };
}

async function duringOutage(url: string, f: Fixture, keys: Keys, o: Options, local: LocalNeo4j): Promise<Window & { downSeconds: number }> {
  let phase: 'down' | 'starting' | 'recovering' | 'done' = 'down';
  const t0 = performance.now();
  let downSeconds = 0;
  const chaos = (async () => {
    await local.stop();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    phase = 'starting';
    await local.start();
    downSeconds = (performance.now() - t0) / 1000;
    phase = 'recovering';
    // Until the API reads the graph again, then 5 s more of load on the recovered server.
    for (let attempt = 0; attempt < 120; attempt++) {
      const a = await send(url, { query: USER, variables: { u: f.users[0] }, key: keys.admin });
      if (a.status === 200 && a.code === 'ok') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
    phase = 'done';
  })();
  const result = await paced(url, o.rate, mix(f, keys, true), () => phase !== 'done');
  await chaos;
  return { seconds: (performance.now() - t0) / 1000, result, downSeconds };
}

async function soak(
  url: string,
  f: Fixture,
  keys: Keys,
  o: Options,
  server: ApiServer,
): Promise<{ before: number; after: number; peak: number; result: PacedResult; seconds: number }> {
  const pid = server.child.pid!;
  // Warm: every user once, so that the soak measures a steady state rather than first-time caches.
  await inBatches([...f.users.entries()], 8, ([n, u]) => send(url, { query: RECOMMEND, variables: { u }, key: keys.writers[n % keys.writers.length] }));
  const before = rssBytes(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 1000);
  const t0 = performance.now();
  const result = await paced(url, o.soakRate, mix(f, keys, false), (elapsed) => elapsed < o.soakMinutes * 60_000);
  clearInterval(sampler);
  const after = rssBytes(pid);
  return { before, after, peak: Math.max(peak, after), result, seconds: (performance.now() - t0) / 1000 };
}

// ---- the table --------------------------------------------------------------------------------

const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const answersText = (m: Map<string, number>): string =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} x ${k}`)
    .join(', ');

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  const config = loadConfig();
  const local = new LocalNeo4j(config.localNeo4j);
  if (!(await local.serves(config.neo4j.uri))) {
    throw new Error(`${config.neo4j.uri} is not the launcher's server (scripts/neo4j.sh, data ${local.dataDir}): the bench stops and starts it`);
  }
  const checkpointDir = mkdtempSync(join(tmpdir(), 'eran-chaos-bench-'));
  const keys: Keys = { admin: newApiKey(), writers: Array.from({ length: 20 }, () => newApiKey()) };
  let server: ApiServer | null = null;
  try {
    const f = await prepare(config, o, checkpointDir);
    server = await startApiServer({
      compiled: o.compiled,
      env: { CHECKPOINT_DIR: checkpointDir, ADMIN_API_KEYS: keys.admin, WRITER_API_KEYS: keys.writers.join(','), LOG_LEVEL: 'error' },
    });
    console.error(`chaos bench: server ${server.url} (pid ${server.child.pid}), ${f.users.length} users, ${f.items.length} items`);

    const countsBefore = await graphCounts(config);
    const badKinds = await badInput(server.url, f, keys);
    const countsAfter = await graphCounts(config);
    const badInputSent = tally.sent;
    console.error(`chaos bench: bad input done (${badInputSent} requests)`);

    await races(server.url, f, keys);
    console.error('chaos bench: races done');
    const retrain = await duringRetrain(server.url, f, keys, o);
    console.error(`chaos bench: retrain ${retrain.status} in ${retrain.seconds.toFixed(0)} s`);
    const outage = await duringOutage(server.url, f, keys, o, local);
    console.error(`chaos bench: Neo4j stop/start done in ${outage.seconds.toFixed(0)} s`);
    const soaked = await soak(server.url, f, keys, o, server);
    const duplicates = await duplicateEdges(config);

    const rows: Array<[string, string]> = [
      ['requests sent', `${tally.sent}`],
      ...[...tally.answers.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, n]): [string, string] => [`  answered ${k}`, `${n}`]),
      ['bad-input battery', `${badInputSent} requests (${badKinds} kinds x 20, then 1,500 from one address without a key)`],
      ['nodes before / after the battery', `${countsBefore.nodes} / ${countsAfter.nodes}`],
      ['relationships before / after the battery', `${countsBefore.relationships} / ${countsAfter.relationships}`],
      [
        `during a retrain (${retrain.seconds.toFixed(0)} s, job ${retrain.status})`,
        `${retrain.result.latencies.length} requests at ${o.rate} req/s: p50 ${ms(quantile(retrain.result.latencies, 0.5))}, p99 ${ms(quantile(retrain.result.latencies, 0.99))}; ${answersText(retrain.result.answers)}`,
      ],
      [
        `Neo4j stopped and started (${outage.seconds.toFixed(0)} s; down ${outage.downSeconds.toFixed(0)} s)`,
        `${outage.result.latencies.length} requests at ${o.rate} req/s: p50 ${ms(quantile(outage.result.latencies, 0.5))}, p99 ${ms(quantile(outage.result.latencies, 0.99))}; ${answersText(outage.result.answers)}`,
      ],
      [
        `soak (${(soaked.seconds / 60).toFixed(1)} min at ${o.soakRate} req/s)`,
        `${soaked.result.latencies.length} requests: p50 ${ms(quantile(soaked.result.latencies, 0.5))}, p99 ${ms(quantile(soaked.result.latencies, 0.99))}; ${answersText(soaked.result.answers)}`,
      ],
      ['server RSS before / after the soak (peak)', `${mib(soaked.before)} / ${mib(soaked.after)} (${mib(soaked.peak)})`],
      ['duplicate network edges', `${duplicates}`],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`\n| ${'check'.padEnd(width)} | result |\n| ${'-'.repeat(width)} | --- |`);
    for (const [name, value] of rows) console.log(`| ${name.padEnd(width)} | ${value} |`);
    if (duplicates !== 0 || countsBefore.nodes !== countsAfter.nodes || countsBefore.relationships !== countsAfter.relationships) process.exitCode = 1;
    if ([...tally.answers.keys()].some((k) => k.startsWith('500'))) process.exitCode = 1;
  } finally {
    await server?.stop();
    rmSync(checkpointDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`chaos bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
