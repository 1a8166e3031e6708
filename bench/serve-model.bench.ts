/**
 * npm run bench:serve-model -- [--items 100000] [--users 50000] [--dim 32] [--scoring mixture]
 *                              [--requests 3000] [--rate 200] [--recall-users 20] [--seed 1]
 *
 * The served model alone (no GraphQL, no Neo4j) at catalogue scale, on seeded embeddings with
 * clustered codes (trained weights are not needed to time serving: every cost depends on the
 * sizes only). Prints the activation cost (code-space index build: seconds, memory), then for
 * `--requests` users, each asked once (cold: no cached state) and again (warm): recommend(k=10)
 * plus the model part of its 10 explanations, per request (wall and this process's CPU time: on
 * a shared machine the CPU time is the steadier figure), and the latency those CPU service times
 * give at `--rate` requests per second through one event loop (arrivals evenly spaced, queueing
 * included). Candidate recall@10 against exact scoring over all items for `--recall-users` users.
 */
import { initBackend } from '../src/model/backend';
import { EranEngine } from '../src/served-model/eran-engine';
import type { UserHistory } from '../src/served-model/recommender-engine';
import { randomEmbeddings } from '../src/served-model/testing/random-embeddings';
import { CodeIndex } from '../src/served-model/candidates/code-index';
import { Rng } from '../src/model/rng';
import type { ScoringMode } from '../src/model/options';
import { benchCommand, finiteNumber, log, positiveInt, positiveNumber } from './args';

interface Options {
  readonly items: number;
  readonly users: number;
  readonly dim: number;
  readonly scoring: string;
  readonly requests: number;
  readonly rate: number;
  readonly recallUsers: number;
  readonly seed: number;
}

function parseOptions(argv: readonly string[]): Options {
  return benchCommand('bench:serve-model', 'the served model alone (no GraphQL, no Neo4j) at catalogue scale, on seeded embeddings')
    .option('--items <n>', 'items', positiveInt, 100_000)
    .option('--users <n>', 'users', positiveInt, 50_000)
    .option('--dim <n>', 'code size d', positiveInt, 32)
    .option('--scoring <mode>', 'scoring rule of the embeddings', 'mixture')
    .option('--requests <n>', 'users asked once cold and once warm (at most --users)', positiveInt, 3000)
    .option('--rate <n>', 'requests per second of the queueing estimate', positiveNumber, 200)
    .option('--recall-users <n>', 'users for candidate recall@10 against exact scoring', positiveInt, 20)
    .option('--seed <n>', 'seed', finiteNumber, 1)
    .parse(argv)
    .opts<Options>();
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function describe(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${quantile(sorted, 0.5).toFixed(2)} ms, p90 ${quantile(sorted, 0.9).toFixed(2)}, p99 ${quantile(sorted, 0.99).toFixed(2)}, max ${sorted[sorted.length - 1]!.toFixed(1)}`;
}

/** Latency of evenly spaced arrivals served one at a time (an event loop), from service times. */
function queued(service: readonly number[], rate: number): number[] {
  const gap = 1000 / rate;
  let free = 0;
  return service.map((s, n) => {
    const arrival = n * gap;
    const start = Math.max(arrival, free);
    free = start + s;
    return free - arrival;
  });
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv);
  const { items, users, rate, seed } = o;
  const requests = Math.min(o.requests, users);
  const scoring = o.scoring as ScoringMode;
  // The server's backend: kernel sums of heavy users run on it (served-model/scoring/kernel-sums.ts).
  await initBackend({ prefer: 'wasm', log });
  const emb = randomEmbeddings({
    numItems: items,
    numUsers: users,
    dim: o.dim,
    clusters: Math.round(Math.sqrt(items)),
    scoring,
    recencyHalfLife: scoring === 'mixture' ? 10 : undefined,
    seed,
  });
  const itemIds = Array.from({ length: items }, (_, i) => String(i));
  const userIds = Array.from({ length: users }, (_, u) => `u${u}`);
  log(`served model: ${items} items, ${users} users, d ${emb.dim}, ${emb.kinds.length} kinds, scoring ${scoring}`);

  // Histories of 10-300 purchases (heavy-tailed), mostly near a few favourite items in one kind.
  const rng = new Rng(seed + 1);
  const walk = CodeIndex.build({ ...emb, kinds: emb.kinds.slice(0, 1), codes: emb.codes.slice(0, 1) }, { neighbours: 20 });
  const histories: UserHistory[] = Array.from({ length: requests }, (_, u) => {
    const size = Math.min(300, Math.round(10 * Math.exp(rng.next() * Math.log(30))));
    const favourites = [rng.int(items), rng.int(items), rng.int(items)];
    const bought: number[] = [];
    while (bought.length < size) {
      const f = favourites[rng.int(favourites.length)]!;
      const near = walk.neighbours(0, f);
      bought.push(rng.next() < 0.7 && near.length > 0 ? near[rng.int(near.length)]! : rng.int(items));
    }
    return { userId: userIds[u]!, purchased: bought.map((i) => itemIds[i]!), version: 1 };
  });
  const purchases = new Map<string, number>();
  for (const h of histories) for (const id of h.purchased) purchases.set(id, (purchases.get(id) ?? 0) + 1);

  const engine = new EranEngine({ embeddings: emb, model: null, itemIds, userIds });
  const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await engine.activate({ purchases, links: new Map() });
  const cpu = process.cpuUsage(cpu0);
  const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  log(
    `activation (code-space index, ${emb.kinds.length + 1} spaces): ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s wall, ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ~${((heapAfter - heapBefore) / 2 ** 20).toFixed(0)} MiB retained`,
  );

  const cold: number[] = [];
  const warm: number[] = [];
  const coldCpu: number[] = [];
  const warmCpu: number[] = [];
  const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
  for (const h of histories) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const top = engine.recommend(h, 10, () => true);
    engine.explain(
      h,
      top.map((s) => s.itemId),
      20,
    );
    const t1 = process.hrtime.bigint();
    coldCpu.push(cpuMs(process.cpuUsage(c0)));
    const c1 = process.cpuUsage();
    const again = engine.recommend(h, 10, () => true);
    engine.explain(
      h,
      again.map((s) => s.itemId),
      20,
    );
    const t2 = process.hrtime.bigint();
    warmCpu.push(cpuMs(process.cpuUsage(c1)));
    cold.push(Number(t1 - t0) / 1e6);
    warm.push(Number(t2 - t1) / 1e6);
  }
  const sizes = histories.map((h) => h.purchased.length).sort((a, b) => a - b);
  log(`${requests} users, purchases per user p50 ${quantile(sizes, 0.5)}, p90 ${quantile(sizes, 0.9)}, max ${sizes[sizes.length - 1]}`);
  // Wall times include whatever else the machine runs; CPU times are this process's own work.
  log(`  service time, cold (first request: scorer, candidates, exact scores, explanations): wall ${describe(cold)}`);
  log(`                                                                                     CPU  ${describe(coldCpu)}`);
  log(`  service time, warm (cached ranking; explanations recomputed):                       wall ${describe(warm)}`);
  log(`                                                                                     CPU  ${describe(warmCpu)}`);
  log(`  at ${rate} req/s on one event loop from CPU service times, cold users only: ${describe(queued(coldCpu, rate))}`);
  log(`  at ${rate} req/s on one event loop from CPU service times, warm users only: ${describe(queued(warmCpu, rate))}`);

  const recallUsers = Math.min(o.recallUsers, histories.length);
  if (recallUsers > 0) {
    const exact = new EranEngine({ embeddings: emb, model: null, itemIds, userIds }, { scoringPath: 'exact' });
    let overlap = 0;
    const exactMs: number[] = [];
    for (const h of histories.slice(0, recallUsers)) {
      const t0 = process.hrtime.bigint();
      const truth = new Set(exact.recommend(h, 10, () => true).map((s) => s.itemId));
      exactMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      overlap += engine.recommend(h, 10, () => true).filter((s) => truth.has(s.itemId)).length / 10;
    }
    log(
      `candidate recall@10 vs exact (${recallUsers} users): ${(overlap / recallUsers).toFixed(4)}; exact scoring of all ${items} items: ${describe(exactMs)} per user`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
