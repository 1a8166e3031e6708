/**
 * npm run bench:serve -- [--duration 60] [--rate 200] [--users 200] [--k 10] [--connections 1]
 *                        [--driver both|autocannon|paced] [--url http://host:port] [--compare]
 *                        [--write-checks] [--no-cache] [--compiled] [--ready-timeout 180] [--json <file>]
 *
 * Drives `recommend` (explanations on) at a fixed request rate over many users and prints req/s,
 * p50, p99 and errors (HTTP and GraphQL), for all requests and separately for each user's first
 * request (cold: nothing about the user is cached in the server yet, neither their prepared scorer
 * and ranked candidates nor their explanations) and the later ones (warm). Every phase, and the
 * warm-up, gets its own slice of --users users, cycled through, so its first pass is cold. Twice: with autocannon (`overallRate`; one connection by
 * default, so its latency is the service time of back-to-back requests) and with an open-loop
 * paced sender (one request every 1/rate s, latency from the planned send time: queueing included). Without --url it starts `eran serve` in a
 * child process (same Neo4j and CHECKPOINT_DIR as the environment says), so the load generator and
 * the server do not share an event loop. --compare adds a phase without explanations: the
 * difference is the cost of the explanation query in Neo4j. --no-cache starts the server with its
 * explanation cache off, so that every request makes the graph query. --compiled runs the server
 * from dist/ (npm run build first) instead of through ts-node. --write-checks measures freshness:
 * recordPurchase -> changed recommendation, and addItem -> recommendable (THIS WRITES to the database;
 * with --url, give that server's keys in BENCH_WRITER_KEY and BENCH_ADMIN_KEY). The started server
 * runs without per-client rate limits (this is one client at hundreds of requests per second).
 */
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import autocannon from 'autocannon';
import { Option } from 'commander';
import { newApiKey, startApiServer, type ApiServer } from './api-server';
import { benchCommand, positiveInt } from './args';
import { loadConfig } from '../src/config/app-config';
import { GraphClient } from '../src/graph/graph-client';
import { CatalogRepository } from '../src/catalog/catalog.repository';

interface BenchOptions {
  duration: number;
  rate: number;
  users: number;
  k: number;
  connections: number;
  url: string | null;
  compare: boolean;
  writeChecks: boolean;
  cache: boolean;
  driver: 'autocannon' | 'paced' | 'both';
  compiled: boolean;
  /** Seconds the started server may take to load and activate its model (large catalogues). */
  readyTimeout: number;
  /** Write the phases' results as JSON here (bench:scale reads it). */
  json: string | null;
}

const WITH_EXPLANATIONS = `query Bench($userId: ID!, $k: Int!) {
  recommend(userId: $userId, k: $k) {
    rank score item { id title }
    explanation { attribute attention { kind weight } neighbor { id title } sharedValues { kind name } mode text
      path { nodes { type id name } relationships { type from to } } }
  }
}`;

const WITHOUT_EXPLANATIONS = `query Bench($userId: ID!, $k: Int!) { recommend(userId: $userId, k: $k) { rank score item { id title } } }`;

function parseArgs(argv: readonly string[]): BenchOptions {
  const o = benchCommand('bench:serve', 'recommend with explanations at a fixed rate over many users: req/s, p50, p99, errors, cold and warm')
    .option('--duration <s>', 'seconds of each phase', positiveInt, 60)
    .option('--rate <n>', 'requests per second', positiveInt, 200)
    .option('--users <n>', 'users per phase (each phase starts cold)', positiveInt, 200)
    .option('--k <n>', 'recommendations per request', positiveInt, 10)
    .option('--connections <n>', 'autocannon connections', positiveInt, 1)
    .addOption(new Option('--driver <driver>', 'load generator').choices(['both', 'autocannon', 'paced']).default('both'))
    .option('--url <url>', 'a running server (default: start eran serve in a child process)')
    .option('--compare', 'add a phase without explanations', false)
    .option('--write-checks', 'measure freshness of recordPurchase and addItem (WRITES to the database)', false)
    .option('--no-cache', 'start the server with its explanation cache off')
    .option('--compiled', 'run the server from dist/ (npm run build first)', false)
    .option('--ready-timeout <s>', 'seconds the started server may take to load and activate its model', positiveInt, 180)
    .option('--json <file>', "write the phases' results as JSON here")
    .parse(argv)
    .opts<Omit<BenchOptions, 'url' | 'json'> & { url?: string; json?: string }>();
  return { ...o, url: o.url?.replace(/\/$/, '') ?? null, json: o.json ?? null };
}

/** The bench is one client at hundreds of requests per second: the per-client limits are off. */
async function startServer(cache: boolean, compiled: boolean, keys: BenchKeys, readyTimeout: number): Promise<ApiServer> {
  return startApiServer({
    compiled,
    readyTimeoutSeconds: readyTimeout,
    args: cache ? [] : ['--explanation-cache-ttl', '0'],
    env: { RATE_LIMIT_REQUESTS: '0', RATE_LIMIT_COST: '0', WRITER_API_KEYS: keys.writer, ADMIN_API_KEYS: keys.admin },
  });
}

interface BenchKeys {
  readonly writer: string;
  readonly admin: string;
}

interface Quantiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

interface PhaseResult extends Quantiles {
  readonly name: string;
  readonly requests: number;
  readonly reqPerSec: number;
  /** Each user's first request. */
  readonly cold: Quantiles;
  /** Every later request. */
  readonly warm: Quantiles;
  readonly httpErrors: number;
  readonly graphqlErrors: number;
}

function quantiles(values: number[]): Quantiles {
  values.sort((a, b) => a - b);
  const q = (p: number): number => values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? NaN;
  return { count: values.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: values[values.length - 1] ?? NaN };
}

/** Latencies of one phase, split by whether the request was its user's first. */
class LatencyLog {
  readonly cold: number[] = [];
  readonly warm: number[] = [];

  add(ms: number, first: boolean): void {
    (first ? this.cold : this.warm).push(ms);
  }

  summary(): Quantiles & { cold: Quantiles; warm: Quantiles } {
    return { ...quantiles([...this.cold, ...this.warm]), cold: quantiles([...this.cold]), warm: quantiles([...this.warm]) };
  }
}

/** Latency measured per request in ms with sub-ms precision (autocannon's histogram is whole ms). */
async function runPhase(name: string, url: string, query: string, userIds: readonly string[], o: BenchOptions, duration: number): Promise<PhaseResult> {
  let next = 0;
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const latencies = new LatencyLog();
  const sentAt = new WeakMap<object, { at: bigint; first: boolean }>();
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: o.connections,
    overallRate: o.rate,
    duration,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req, context) => {
          sentAt.set(context, { at: process.hrtime.bigint(), first: next < userIds.length });
          const userId = userIds[next++ % userIds.length];
          return { ...req, body: JSON.stringify({ query, variables: { userId, k: o.k } }) };
        },
        onResponse: (status, body, context) => {
          const started = sentAt.get(context);
          if (started !== undefined) latencies.add(Number(process.hrtime.bigint() - started.at) / 1e6, started.first);
          if (status !== 200) firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          else if (body.includes('"errors"')) {
            graphqlErrors++;
            firstError ??= body.slice(0, 300);
          }
        },
      },
    ],
  });
  if (firstError !== null) console.error(`${name}: first GraphQL error: ${firstError}`);
  return {
    name,
    requests: result.requests.total,
    reqPerSec: result.requests.total / duration,
    ...latencies.summary(),
    httpErrors: result.errors + result.non2xx + result.timeouts,
    graphqlErrors,
  };
}

/**
 * Open-loop load: request n is sent at start + n / rate whatever happened to the earlier ones, and
 * its latency counts from that planned time, so a stall shows up in every request it delays (no
 * coordinated omission). autocannon's `overallRate` instead lets each connection send its share
 * of a second back to back and then pause, which measures bursts rather than a steady rate.
 */
async function runPaced(name: string, url: string, query: string, userIds: readonly string[], o: BenchOptions, duration: number): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(`${url}/graphql`);
  const latencies = new LatencyLog();
  let httpErrors = 0;
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const total = Math.round(duration * o.rate);
  const start = process.hrtime.bigint();
  const intervalNs = 1e9 / o.rate;
  const pending: Array<Promise<void>> = [];
  const send = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const planned = start + BigInt(Math.round(n * intervalNs));
      const body = JSON.stringify({ query, variables: { userId: userIds[n % userIds.length], k: o.k } });
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.add(Number(process.hrtime.bigint() - planned) / 1e6, n < userIds.length);
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              httpErrors++;
              firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
            } else if (text.includes('"errors"')) {
              graphqlErrors++;
              firstError ??= text.slice(0, 300);
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        httpErrors++;
        resolve();
      });
      req.end(body);
    });
  for (let n = 0; n < total; n++) {
    const planned = start + BigInt(Math.round(n * intervalNs));
    const waitMs = Number(planned - process.hrtime.bigint()) / 1e6;
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
    pending.push(send(n));
  }
  await Promise.all(pending);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  if (firstError !== null) console.error(`${name}: first GraphQL error: ${firstError}`);
  return { name, requests: total, reqPerSec: total / seconds, ...latencies.summary(), httpErrors, graphqlErrors };
}

async function post<T>(url: string, query: string, variables: Record<string, unknown>, key?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data as T;
}

/** recordPurchase -> the next recommend reflects it; addItem -> the item is scored (audience) at once. */
async function writeChecks(url: string, userIds: readonly string[], keys: BenchKeys): Promise<void> {
  const ids = `query R($userId: ID!) { recommend(userId: $userId, k: 10) { item { id } score } }`;
  const buy = `mutation P($u: ID!, $i: ID!) { recordPurchase(userId: $u, itemId: $i, rating: 5) { positive } }`;
  const fresh: number[] = [];
  for (const userId of userIds.slice(0, 20)) {
    const before = (await post<{ recommend: Array<{ item: { id: string } }> }>(url, ids, { userId })).recommend;
    const item = before[0]!.item.id;
    const started = process.hrtime.bigint();
    await post(url, buy, { u: userId, i: item }, keys.writer);
    const after = (await post<{ recommend: Array<{ item: { id: string } }> }>(url, ids, { userId })).recommend;
    fresh.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (after.some((r) => r.item.id === item)) throw new Error(`recordPurchase of ${item} by ${userId} did not change the recommendation`);
  }
  fresh.sort((a, b) => a - b);
  console.log(
    `recordPurchase -> changed recommendation: median ${fresh[Math.floor(fresh.length / 2)]!.toFixed(1)} ms, max ${fresh[fresh.length - 1]!.toFixed(1)} ms (${fresh.length} users)`,
  );

  const meta = await post<{ item: { attributes: Array<{ kind: string; id: string }> } }>(url, '{ item(itemId: "1") { attributes { kind id } } }', {});
  const id = `bench-cold-${Date.now()}`;
  const started = process.hrtime.bigint();
  const added = await post<{ addItem: { recommendable: boolean } }>(
    url,
    'mutation A($input: AddItemInput!) { addItem(input: $input) { recommendable } }',
    { input: { id, title: 'Bench cold-start item', attributes: meta.item.attributes.map((a) => ({ kind: a.kind, value: a.id })) } },
    keys.admin,
  );
  const audience = await post<{ audience: unknown[] }>(url, 'query A($i: ID!) { audience(itemId: $i, k: 10) { userId } }', { i: id });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`addItem -> recommendable (audience of ${audience.audience.length} users): ${ms.toFixed(1)} ms, recommendable=${added.addItem.recommendable}`);
}

function print(r: PhaseResult, o: BenchOptions): void {
  const line = (q: Quantiles): string => `p50 ${q.p50.toFixed(2)} ms  p90 ${q.p90.toFixed(2)} ms  p99 ${q.p99.toFixed(2)} ms  max ${q.max.toFixed(1)} ms`;
  console.log(
    `${r.name.padEnd(36)} ${r.reqPerSec.toFixed(1).padStart(7)} req/s  ${line(r)}  errors ${r.httpErrors + r.graphqlErrors} (http ${r.httpErrors}, graphql ${r.graphqlErrors})  ` +
      `[${r.requests} requests, target ${o.rate} req/s, k=${o.k}]`,
  );
  console.log(`${''.padEnd(36)}   cold (first per user, ${r.cold.count}): ${line(r.cold)}`);
  console.log(`${''.padEnd(36)}   warm (${r.warm.count}): ${line(r.warm)}`);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  const config = loadConfig();
  const graph = await GraphClient.connect(config.neo4j);
  const phases: Array<['autocannon' | 'paced', string, string]> = [];
  for (const [name, query] of [['recommend+explain', WITH_EXPLANATIONS], ...(o.compare ? [['recommend (no expl.)', WITHOUT_EXPLANATIONS]] : [])] as const) {
    if (o.driver === 'autocannon' || o.driver === 'both') phases.push(['autocannon', name, query]);
    if (o.driver === 'paced' || o.driver === 'both') phases.push(['paced', name, query]);
  }
  let allUserIds: string[];
  try {
    // One slice of users per phase and one for the warm-up: each phase's first pass is cold.
    allUserIds = await new CatalogRepository(graph).listUserIds(o.users * (phases.length + 1));
  } finally {
    await graph.close();
  }
  if (allUserIds.length === 0) throw new Error('no users with purchases in the database: import a dataset first');
  const per = Math.max(1, Math.floor(allUserIds.length / (phases.length + 1)));
  if (per < o.users) console.error(`serve bench: only ${allUserIds.length} users: ${per} per phase instead of ${o.users}`);
  const sliceOf = (p: number): string[] => allUserIds.slice(p * per, (p + 1) * per);
  // --url: the keys of that server (BENCH_WRITER_KEY, BENCH_ADMIN_KEY); otherwise fresh ones.
  const keys: BenchKeys = { writer: process.env.BENCH_WRITER_KEY ?? newApiKey(), admin: process.env.BENCH_ADMIN_KEY ?? newApiKey() };
  const server =
    o.url === null ? await startServer(o.cache, o.compiled, keys, o.readyTimeout) : { url: o.url, startSeconds: null, stop: async () => undefined };
  try {
    console.log(
      `serve bench: ${server.url}, ${per} users per phase, ${o.duration} s at ${o.rate} req/s, ${o.connections} connections, ` +
        `explanation cache ${o.url !== null ? 'as configured' : o.cache ? 'on' : 'off'}`,
    );
    await runPhase('warm-up', server.url, WITH_EXPLANATIONS, sliceOf(phases.length), { ...o }, 5);
    const results: PhaseResult[] = [];
    for (const [p, [driver, name, query]] of phases.entries()) {
      const duration = name.includes('no expl') ? Math.max(10, Math.round(o.duration / 2)) : o.duration;
      const run = driver === 'autocannon' ? runPhase : runPaced;
      results.push(await run(`${name} [${driver}]`, server.url, query, sliceOf(p), o, duration));
    }
    for (const r of results) print(r, o);
    if (o.json !== null) writeFileSync(o.json, `${JSON.stringify({ options: o, startSeconds: server.startSeconds ?? null, results }, null, 2)}\n`);
    if (o.writeChecks) await writeChecks(server.url, sliceOf(0), keys);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`serve bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
