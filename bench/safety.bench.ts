/**
 * npm run bench:safety -- [--retrain-epochs 10] [--rate 20] [--users 50] [--baseline 10] [--compiled] [--skip retrain,rate,...]
 *
 * What the API's protections cost and buy, against `eran serve` in child processes (same Neo4j
 * and newest checkpoint of CHECKPOINT_DIR as the environment says; the retrain phase works on a
 * temporary copy of that checkpoint, so CHECKPOINT_DIR is left as it was):
 *  - costs: per operation, the median latency (caches off, every user new to the score cache),
 *    its estimated cost in work units and the milliseconds per unit;
 *  - attacks: the alias attacks (2,400 x audience(k: 1), 100 x explain, the largest audience
 *    alias query the cost limit admits) against the default limits: status, cost, seconds, and
 *    the worst GET /health latency while each runs;
 *  - retrain: recommend (with explanations) for --users users (warmed up first, as a serving
 *    steady state) paced at --rate req/s before, during and after a retrain: p50 / p99 / max,
 *    requests over 15 s, trainingJob poll and /health latencies;
 *  - rate: one client at 100 req/s for 15 s against the default per-client limits: 429s and Retry-After.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { CheckpointStore } from '../src/served-model/checkpoint-store';
import { GraphClient } from '../src/graph/graph-client';
import { CatalogRepository } from '../src/catalog/catalog.repository';
import { newApiKey, startApiServer, type ApiServer } from './api-server';
import { benchCommand, positiveInt } from './args';

type Phase = 'costs' | 'attacks' | 'retrain' | 'rate';

interface Options {
  retrainEpochs: number;
  rate: number;
  users: number;
  baseline: number;
  compiled: boolean;
  skip: Set<Phase>;
}

function parseArgs(argv: readonly string[]): Options {
  const o = benchCommand('bench:safety', "what the API's protections cost and buy, against eran serve in child processes")
    .option('--retrain-epochs <n>', 'epochs of the retrain phase', positiveInt, 10)
    .option('--rate <n>', 'requests per second around the retrain', positiveInt, 20)
    .option('--users <n>', 'users of the retrain phase', positiveInt, 50)
    .option('--baseline <n>', 'seconds of load before the retrain', positiveInt, 10)
    .option('--compiled', 'run the servers from dist/ (npm run build first)', false)
    .option('--skip <phases>', 'comma-separated phases to skip: costs, attacks, retrain, rate')
    .parse(argv)
    .opts<Omit<Options, 'skip'> & { skip?: string }>();
  return { ...o, skip: new Set((o.skip ?? '').split(',').flatMap((p) => (p.trim() === '' ? [] : [p.trim() as Phase]))) };
}

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }>; extensions?: { cost?: { requested: number } } };
  readonly retryAfter: string | null;
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}, key?: string, timeoutMs = 60_000): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = { errors: [{ message: text.slice(0, 200) }] };
  }
  return { status: response.status, ms: performance.now() - started, body, retryAfter: response.headers.get('retry-after') };
}

const quantile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const median = (values: readonly number[]): number =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** Polls GET /health every 50 ms until stopped; reports the worst latency and failures. */
function watchHealth(url: string): { stop: () => Promise<{ worst: number; polls: number; failures: number }> } {
  let running = true;
  let worst = 0;
  let polls = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(15_000) });
        await res.text();
        if (res.status !== 200) failures++;
      } catch {
        failures++;
      }
      worst = Math.max(worst, performance.now() - started);
      polls++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { worst, polls, failures };
    },
  };
}

const EXPLANATION_FIELDS =
  '{ attribute attention { kind weight } neighbor { id title } sharedValues { kind name } mode text path { nodes { type id name } relationships { type from to } } }';
const EXPLANATION = `explanation ${EXPLANATION_FIELDS}`;

async function costs(url: string, users: readonly string[], items: readonly string[]): Promise<void> {
  console.log('\n== costs (caches off, each request a user new to the score cache) ==');
  const ops: Array<{ name: string; run: (n: number) => Promise<Answer> }> = [
    {
      name: 'recommend k=10, scores only',
      run: (n) => gql(url, 'query($u: ID!) { recommend(userId: $u, k: 10) { rank score item { id } } }', { u: users[n % users.length] }),
    },
    {
      name: 'recommend k=10 + explanations',
      run: (n) =>
        gql(url, `query($u: ID!) { recommend(userId: $u, k: 10) { rank score item { id title } ${EXPLANATION} } }`, { u: users[(n + 40) % users.length] }),
    },
    {
      name: 'explain',
      run: (n) =>
        gql(url, `query($u: ID!, $i: ID!) { explain(userId: $u, itemId: $i) ${EXPLANATION_FIELDS} }`, {
          u: users[(n + 80) % users.length],
          i: items[n % items.length],
        }),
    },
    {
      name: 'similarItems k=10, personalized',
      run: (n) =>
        gql(url, 'query($i: ID!, $u: ID!) { similarItems(itemId: $i, userId: $u, k: 10) { rank score item { id } } }', {
          i: items[n % items.length],
          u: users[(n + 120) % users.length],
        }),
    },
    {
      name: 'audience k=10',
      run: (n) => gql(url, 'query($i: ID!) { audience(itemId: $i, k: 10) { rank userId score } }', { i: items[(n + 7) % items.length] }),
    },
  ];
  for (const op of ops) {
    const times: number[] = [];
    let cost = NaN;
    for (let n = 0; n < 30; n++) {
      const a = await op.run(n);
      if (a.status !== 200 || a.body.errors) throw new Error(`${op.name}: HTTP ${a.status} ${JSON.stringify(a.body.errors ?? '').slice(0, 300)}`);
      times.push(a.ms);
      cost = a.body.extensions?.cost?.requested ?? NaN;
    }
    const ms = median(times);
    console.log(`${op.name.padEnd(34)} median ${fmt(ms).padStart(9)}  cost ${String(cost).padStart(5)} units  ${(ms / cost).toFixed(3)} ms/unit`);
  }
}

async function attack(url: string, name: string, query: string): Promise<void> {
  const health = watchHealth(url);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const a = await gql(url, query, {}, undefined, 120_000);
  const h = await health.stop();
  const errors = a.body.errors ?? [];
  const codes =
    [...new Set(errors.map((e) => `${String(e.extensions?.code)}${e.extensions?.reason ? `/${String(e.extensions.reason)}` : ''}`))].join(',') || 'none';
  const cost = a.body.extensions?.cost?.requested ?? errors[0]?.extensions?.cost ?? '-';
  console.log(
    `${name.padEnd(46)} ${(Buffer.byteLength(query) / 1024).toFixed(0).padStart(4)} KB  HTTP ${a.status}  cost ${String(cost).padStart(6)}  ${fmt(a.ms).padStart(9)}  ` +
      `errors ${codes} (${errors.length})  /health worst ${fmt(h.worst)} over ${h.polls} polls, ${h.failures} failed`,
  );
}

async function attacks(url: string, users: readonly string[], items: readonly string[]): Promise<void> {
  console.log('\n== alias attacks against the default limits ==');
  const audience = (n: number): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}: audience(itemId: "${items[0]}", k: 1) { userId }`).join(' ')} }`;
  await attack(url, '2,400 x audience(k: 1)', audience(2400));
  const one = await gql(url, audience(1));
  const unit = one.body.extensions?.cost?.requested ?? 1;
  const admitted = Math.floor(5000 / unit);
  await attack(url, `${admitted} x audience(k: 1) (largest admitted)`, audience(admitted));
  const explain = (n: number): string =>
    `{ ${Array.from({ length: n }, (_, i) => `e${i}: explain(userId: "${users[i % users.length]}", itemId: "${items[(i + 3) % items.length]}") { text path { nodes { id } } }`).join(' ')} }`;
  await attack(url, '100 x explain', explain(100));
  const oneExplain = (await gql(url, explain(1))).body.extensions?.cost?.requested ?? 1;
  const admittedExplain = Math.floor(5000 / oneExplain);
  await attack(url, `${admittedExplain} x explain (largest admitted)`, explain(admittedExplain));
}

interface Paced {
  readonly latencies: number[];
  readonly timeouts: number;
  readonly errors: number;
  readonly firstError: string | null;
}

/** Open loop: request n leaves at start + n / rate whatever happened to the others; latency from then. */
async function paced(url: string, users: readonly string[], rate: number, until: () => boolean, minSeconds: number): Promise<Paced> {
  const query = `query($u: ID!) { recommend(userId: $u, k: 10) { rank score item { id title } ${EXPLANATION} } }`;
  const latencies: number[] = [];
  let timeouts = 0;
  let errors = 0;
  let firstError: string | null = null;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let n = 0; ; n++) {
    const planned = start + (n * 1000) / rate;
    if (planned - start > minSeconds * 1000 && until()) break;
    const wait = planned - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      gql(url, query, { u: users[n % users.length] }, undefined, 15_000)
        .then((a) => {
          latencies.push(performance.now() - planned);
          if (a.status !== 200 || a.body.errors) {
            errors++;
            firstError ??= `HTTP ${a.status} ${JSON.stringify(a.body.errors?.[0] ?? '').slice(0, 200)}`;
          }
        })
        .catch(() => {
          timeouts++;
          latencies.push(15_000);
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { latencies, timeouts, errors, firstError };
}

function printPaced(name: string, p: Paced): void {
  console.log(
    `${name.padEnd(26)} ${String(p.latencies.length).padStart(5)} requests  p50 ${fmt(quantile(p.latencies, 0.5)).padStart(9)}  p99 ${fmt(quantile(p.latencies, 0.99)).padStart(9)}  ` +
      `max ${fmt(p.latencies[p.latencies.length - 1] ?? NaN).padStart(9)}  over 15 s ${p.timeouts}  errors ${p.errors}`,
  );
  if (p.firstError !== null) console.log(`  first error: ${p.firstError}`);
}

async function retrain(url: string, allUsers: readonly string[], o: Options, adminKey: string): Promise<void> {
  const users = allUsers.slice(0, o.users);
  console.log(`\n== retrain (recommend + explanations for ${users.length} users, paced at ${o.rate} req/s) ==`);
  for (const u of users) await gql(url, `query($u: ID!) { recommend(userId: $u, k: 10) { rank ${EXPLANATION} } }`, { u });
  printPaced('before the retrain', await paced(url, users, o.rate, () => true, o.baseline));
  const started = await gql(url, 'mutation($o: RetrainOptionsInput) { retrainModel(options: $o) { id } }', { o: { epochs: o.retrainEpochs } }, adminKey);
  const jobId = (started.body.data as { retrainModel?: { id: string } } | undefined)?.retrainModel?.id;
  if (jobId === undefined) throw new Error(`retrainModel failed: ${JSON.stringify(started.body.errors)}`);
  const t0 = performance.now();
  let status = 'RUNNING';
  const polls: number[] = [];
  const poller = (async () => {
    while (status === 'RUNNING') {
      const a = await gql(url, 'query($id: ID!) { trainingJob(id: $id) { status error } }', { id: jobId }, undefined, 60_000);
      polls.push(a.ms);
      status = (a.body.data as { trainingJob?: { status: string } } | undefined)?.trainingJob?.status ?? 'UNKNOWN';
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  const health = watchHealth(url);
  const during = await paced(url, users, o.rate, () => status !== 'RUNNING', 1);
  await poller;
  const h = await health.stop();
  const seconds = (performance.now() - t0) / 1000;
  printPaced(`during the retrain (${seconds.toFixed(0)} s)`, during);
  polls.sort((a, b) => a - b);
  console.log(
    `retrain job ${status}; trainingJob polls: median ${fmt(quantile(polls, 0.5))}, max ${fmt(polls[polls.length - 1] ?? NaN)}; /health worst ${fmt(h.worst)} over ${h.polls} polls, ${h.failures} failed`,
  );
  printPaced('after the retrain', await paced(url, users, o.rate, () => true, o.baseline));
}

async function rate(url: string): Promise<void> {
  console.log('\n== per-client rate limit (one client, 100 req/s for 15 s, default limits) ==');
  const answers: Answer[] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let n = 0; n < 1500; n++) {
    const wait = start + n * 10 - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(gql(url, '{ model { version } }').then((a) => void answers.push(a)));
  }
  await Promise.all(pending);
  const limited = answers.filter((a) => a.status === 429);
  const first = limited[0];
  console.log(
    `${answers.length} requests: ${answers.filter((a) => a.status === 200).length} answered, ${limited.length} x 429 ` +
      `(code ${String(first?.body.errors?.[0]?.extensions?.code ?? '-')}, Retry-After ${first?.retryAfter ?? '-'} s)`,
  );
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  const config = loadConfig();
  const graph = await GraphClient.connect(config.neo4j);
  let users: string[];
  let items: string[];
  try {
    const repo = new CatalogRepository(graph);
    users = await repo.listUserIds(400);
    items = (await repo.listItemsPage('', 200)).map((i) => i.id);
  } finally {
    await graph.close();
  }
  if (users.length === 0) throw new Error('no users in the database: import a dataset first');
  const newest = await new CheckpointStore(config.checkpointDir).newest();
  if (newest === null) throw new Error(`no checkpoint in ${config.checkpointDir}: train one first (npm run eran -- train)`);
  const scratch = mkdtempSync(join(tmpdir(), 'eran-safety-bench-'));
  cpSync(join(config.checkpointDir, newest), join(scratch, newest), { recursive: true });
  const adminKey = newApiKey();
  const env = { CHECKPOINT_DIR: scratch, ADMIN_API_KEYS: adminKey, WRITER_API_KEYS: newApiKey() };
  console.log(`safety bench: ${users.length} users, model ${newest}, ${o.compiled ? 'compiled' : 'ts-node'} server`);
  let server: ApiServer | null = null;
  try {
    if (!o.skip.has('costs') || !o.skip.has('retrain')) {
      // Measuring: no per-client limits, a cost limit that admits everything, explanation cache off.
      server = await startApiServer({
        compiled: o.compiled,
        args: ['--explanation-cache-ttl', '0'],
        env: { ...env, RATE_LIMIT_REQUESTS: '0', RATE_LIMIT_COST: '0', MAX_QUERY_COST: '10000000', REQUEST_BUDGET_MS: '600000' },
      });
      if (!o.skip.has('costs')) await costs(server.url, users, items);
      await server.stop();
      server = null;
    }
    if (!o.skip.has('retrain')) {
      server = await startApiServer({ compiled: o.compiled, env: { ...env, RATE_LIMIT_REQUESTS: '0', RATE_LIMIT_COST: '0' } });
      await retrain(server.url, users, o, adminKey);
      await server.stop();
      server = null;
    }
    if (!o.skip.has('attacks') || !o.skip.has('rate')) {
      server = await startApiServer({ compiled: o.compiled, args: ['--explanation-cache-ttl', '0'], env: { ...env, MAX_BODY_BYTES: String(1024 * 1024) } });
      if (!o.skip.has('attacks')) await attacks(server.url, users, items);
      await server.stop();
      server = null;
    }
    if (!o.skip.has('rate')) {
      server = await startApiServer({ compiled: o.compiled, env });
      await rate(server.url);
    }
  } finally {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`safety bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
