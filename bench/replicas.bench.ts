/**
 * npm run bench:replicas -- [--trials 100] [--rate 100] [--switch-seconds 20] [--load-seconds 15]
 *                           [--connections 8] [--users 300] [--compiled]
 *
 * Several API replicas on one graph, each `eran serve` in its own process (same Neo4j and
 * CHECKPOINT_DIR as the environment says; needs an imported dataset and a model). Prints:
 *  1. freshness: a purchase recorded through replica A, then B's `recommend` polled every 10 ms
 *     until it no longer offers the item: the time from A's answer to B's changed answer,
 *     median and max over --trials trials (each a new user with three purchases, so B has the
 *     user cached before the trial purchase);
 *  2. a model switch under load: --rate req/s of `recommend` spread over both replicas (open loop)
 *     for --switch-seconds; a third of the way in, a model version is published; per replica the
 *     time from publication until it serves the version, and every failed request;
 *  3. throughput: closed-loop `recommend` (no explanations) from --connections connections per
 *     replica for --load-seconds, against one replica, then against two: req/s and p99 each;
 *  4. RSS per replica (from /proc) after the load;
 *  0. first, for comparison, the graph read of one user's history (what a cache miss costs, and
 *     what every request would pay if it read its user's version from the graph instead).
 * THIS WRITES to the database (purchases of new users bench-replica-*): run it on a scratch copy.
 * With fewer than two checkpoint versions in CHECKPOINT_DIR, the newest is copied under a new
 * version name for the switch (loading it costs what loading a new model costs).
 */
import { cpSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { newApiKey, startApiServer, type ApiServer } from './api-server';
import { loadConfig } from '../src/config/app-config';
import { GraphClient } from '../src/graph/graph-client';
import { CatalogRepository } from '../src/catalog/catalog.repository';
import { CheckpointStore } from '../src/served-model/checkpoint-store';
import { ServedModelRepository } from '../src/served-model/served-model.repository';
import { benchCommand, positiveInt } from './args';

interface Options {
  trials: number;
  rate: number;
  switchSeconds: number;
  loadSeconds: number;
  connections: number;
  users: number;
  compiled: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  return benchCommand('bench:replicas', 'two replicas on one Neo4j: freshness, model switch, throughput, RSS (writes purchases)')
    .option('--trials <n>', 'freshness trials', positiveInt, 100)
    .option('--rate <n>', 'requests per second during the switch', positiveInt, 100)
    .option('--switch-seconds <n>', 'seconds of load around the model switch', positiveInt, 20)
    .option('--load-seconds <n>', 'seconds of each throughput phase', positiveInt, 15)
    .option('--connections <n>', 'autocannon connections', positiveInt, 8)
    .option('--users <n>', 'users the load cycles through', positiveInt, 300)
    .option('--compiled', 'run the servers from dist/ (npm run build first)', false)
    .parse(argv)
    .opts<Options>();
}

const RECOMMEND = 'query R($u: ID!, $k: Int!) { recommend(userId: $u, k: $k) { item { id } } }';

interface Gql<T> {
  data?: T | null;
  errors?: Array<{ message: string }>;
}

async function gql<T>(server: ApiServer, query: string, variables: Record<string, unknown>, key?: string): Promise<Gql<T>> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as Gql<T>;
}

async function recommended(server: ApiServer, userId: string, k = 10): Promise<string[]> {
  const body = await gql<{ recommend: Array<{ item: { id: string } }> }>(server, RECOMMEND, { u: userId, k });
  if (body.errors !== undefined) throw new Error(body.errors[0]!.message);
  return body.data!.recommend.map((r) => r.item.id);
}

async function purchase(server: ApiServer, key: string, userId: string, itemId: string): Promise<void> {
  const body = await gql(
    server,
    'mutation P($u: ID!, $i: ID!) { recordPurchase(userId: $u, itemId: $i, rating: 5) { positive } }',
    { u: userId, i: itemId },
    key,
  );
  if (body.errors !== undefined) throw new Error(body.errors[0]!.message);
}

async function servedVersion(server: ApiServer): Promise<string | null> {
  const body = await gql<{ model: { version: string } }>(server, '{ model { version } }', {});
  return body.data?.model.version ?? null;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freshness(a: ApiServer, b: ApiServer, key: string, popular: readonly string[], trials: number): Promise<number[]> {
  const lags: number[] = [];
  for (let t = 0; t < trials; t++) {
    const userId = `bench-replica-${Date.now().toString(36)}-${t}`;
    // Three purchases through B: the user exists and B has them cached before the trial.
    for (const itemId of popular.slice((t * 3) % 30, ((t * 3) % 30) + 3)) await purchase(b, key, userId, itemId);
    const [target] = await recommended(b, userId);
    await purchase(a, key, userId, target!);
    const acknowledged = performance.now();
    for (;;) {
      if (!(await recommended(b, userId)).includes(target!)) break;
      if (performance.now() - acknowledged > 30_000) throw new Error(`B still recommends ${target} to ${userId} after 30 s`);
      await sleep(10);
    }
    lags.push(performance.now() - acknowledged);
  }
  return lags.sort((x, y) => x - y);
}

interface SwitchResult {
  readonly version: string;
  readonly servedAfterMs: number[];
  readonly requests: number;
  readonly failed: number;
  readonly firstFailure: string | null;
  /** p99 of the requests sent before the publication, and of those sent after it. */
  readonly p99BeforeMs: number;
  readonly p99AfterMs: number;
}

/** Open-loop load over both replicas while a version is published; per replica, when it serves it. */
async function modelSwitch(replicas: readonly ApiServer[], graph: GraphClient, userIds: readonly string[], o: Options, version: string): Promise<SwitchResult> {
  const before: number[] = [];
  const after: number[] = [];
  let failed = 0;
  let firstFailure: string | null = null;
  const inFlight: Array<Promise<void>> = [];
  const start = performance.now();
  const servedAt: Array<number | null> = replicas.map(() => null);
  let publishedAt = Number.POSITIVE_INFINITY;
  const publish = (async () => {
    await sleep((o.switchSeconds * 1000) / 3);
    publishedAt = performance.now();
    await new ServedModelRepository(graph).publish(version, 'bench:replicas');
  })();
  const watch = Promise.all(
    replicas.map(async (server, r) => {
      while (performance.now() - start < o.switchSeconds * 1000 && servedAt[r] === null) {
        if (performance.now() > publishedAt && (await servedVersion(server)) === version) servedAt[r] = performance.now();
        await sleep(20);
      }
    }),
  );
  for (let n = 0; ; n++) {
    const planned = start + (n * 1000) / o.rate;
    if (planned - start > o.switchSeconds * 1000) break;
    const wait = planned - performance.now();
    if (wait > 0) await sleep(wait);
    const server = replicas[n % replicas.length]!;
    const userId = userIds[n % userIds.length]!;
    inFlight.push(
      gql(server, RECOMMEND, { u: userId, k: 10 }).then(
        (body) => {
          (planned < publishedAt ? before : after).push(performance.now() - planned);
          if (body.errors !== undefined) {
            failed++;
            firstFailure ??= body.errors[0]!.message;
          }
        },
        (error: unknown) => {
          failed++;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all([...inFlight, publish, watch]);
  before.sort((x, y) => x - y);
  after.sort((x, y) => x - y);
  return {
    version,
    servedAfterMs: servedAt.map((at) => (at === null ? NaN : at - publishedAt)),
    requests: inFlight.length,
    failed,
    firstFailure,
    p99BeforeMs: quantile(before, 0.99),
    p99AfterMs: quantile(after, 0.99),
  };
}

interface LoadResult {
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

async function closedLoop(replicas: readonly ApiServer[], userIds: readonly string[], o: Options): Promise<LoadResult> {
  let next = 0;
  const results = await Promise.all(
    replicas.map((server) =>
      autocannon({
        url: `${server.url}/graphql`,
        method: 'POST',
        connections: o.connections,
        duration: o.loadSeconds,
        headers: { 'content-type': 'application/json' },
        requests: [
          { setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: RECOMMEND, variables: { u: userIds[next++ % userIds.length], k: 10 } }) }) },
        ],
      }),
    ),
  );
  const total = results.reduce((s, r) => s + r.requests.total, 0);
  return {
    reqPerSec: total / o.loadSeconds,
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((s, r) => s + r.errors + r.non2xx + r.timeouts, 0),
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  const config = loadConfig();
  const graph = await GraphClient.connect(config.neo4j);
  const store = new CheckpointStore(config.checkpointDir);
  const keys = { writer: newApiKey(), admin: newApiKey() };
  const env = { RATE_LIMIT_REQUESTS: '0', RATE_LIMIT_COST: '0', WRITER_API_KEYS: keys.writer, ADMIN_API_KEYS: keys.admin };
  const replicas: ApiServer[] = [];
  try {
    const catalog = new CatalogRepository(graph);
    const userIds = (await catalog.listUserIds(o.users)).filter((id) => !id.startsWith('bench-replica-'));
    const popular = (await catalog.listItemsPage('', 200)).map((i) => i.id).slice(0, 40);
    const reads: number[] = [];
    for (const userId of userIds) {
      const started = performance.now();
      await catalog.readUser(userId);
      reads.push(performance.now() - started);
    }
    reads.sort((x, y) => x - y);
    console.log(
      `0. one user's history read from the graph: p50 ${quantile(reads, 0.5).toFixed(2)} ms, p99 ${quantile(reads, 0.99).toFixed(2)} ms (${reads.length} users)`,
    );
    replicas.push(...(await Promise.all([startApiServer({ compiled: o.compiled, env }), startApiServer({ compiled: o.compiled, env })])));
    const [a, b] = replicas as [ApiServer, ApiServer];
    const sync = Number(process.env.SYNC_INTERVAL_MS ?? 200);
    console.log(`two replicas (${a.url}, ${b.url}), change-log poll every ${sync} ms, ${userIds.length} users`);

    const lags = await freshness(a, b, keys.writer, popular, o.trials);
    console.log(
      `1. purchase on A -> B's next recommend changed: median ${quantile(lags, 0.5).toFixed(0)} ms, p90 ${quantile(lags, 0.9).toFixed(0)} ms, ` +
        `max ${lags[lags.length - 1]!.toFixed(0)} ms (${lags.length} trials)`,
    );

    const versions = await store.versions();
    const active = await servedVersion(a);
    let next = [...versions].reverse().find((v) => v !== active) ?? null;
    if (next === null) {
      next = store.newVersion();
      cpSync(store.dirOf(active!), store.dirOf(next), { recursive: true });
    }
    const switched = await modelSwitch(replicas, graph, userIds, o, next);
    console.log(
      `2. publish ${switched.version} under ${o.rate} req/s: served by A after ${switched.servedAfterMs[0]!.toFixed(0)} ms, ` +
        `by B after ${switched.servedAfterMs[1]!.toFixed(0)} ms; ${switched.requests} requests, ${switched.failed} failed` +
        `${switched.firstFailure === null ? '' : ` (first: ${switched.firstFailure})`}; p99 ${switched.p99BeforeMs.toFixed(1)} ms before, ` +
        `${switched.p99AfterMs.toFixed(1)} ms from the publication on`,
    );
    // Back to the version the run started with.
    await new ServedModelRepository(graph).publish(active!, 'bench:replicas');
    for (const server of replicas) while ((await servedVersion(server)) !== active) await sleep(100);

    // Warm both replicas on the load's users, then one replica alone, then both.
    await closedLoop(replicas, userIds, { ...o, loadSeconds: 3 });
    const one = await closedLoop([a], userIds, o);
    const two = await closedLoop(replicas, userIds, o);
    console.log(
      `3. closed loop, ${o.connections} connections per replica, ${o.loadSeconds} s: 1 replica ${one.reqPerSec.toFixed(0)} req/s ` +
        `(p50 ${one.p50} ms, p99 ${one.p99} ms, ${one.errors} errors); 2 replicas ${two.reqPerSec.toFixed(0)} req/s ` +
        `(p50 ${two.p50} ms, p99 ${two.p99} ms, ${two.errors} errors); ratio ${(two.reqPerSec / one.reqPerSec).toFixed(2)}`,
    );
    console.log(`4. RSS after the load: A ${rssMiB(a.child.pid!).toFixed(0)} MiB, B ${rssMiB(b.child.pid!).toFixed(0)} MiB`);
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await graph.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:replicas: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
