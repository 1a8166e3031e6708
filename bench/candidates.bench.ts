/**
 * npm run bench:candidates -- [--csv <dataset dir, generic CSV layout> | --synthetic [--items 2000 --users 1500]]
 *                             [--seed 1] [--epochs 60] [--minutes 10] [--users-measured 0]
 *                             [--recent 20 --code 10 --network 5 --popular 50] [--cache <file>]
 *
 * How much the served candidate path loses against exact scoring, on the harness's leave-one-out
 * split (the latest positive of each user held out): eran-plus is fitted once, then every test
 * user is scored both ways with the same scoring family object the API uses.
 *
 * Prints: candidate recall@10 (the share of the exact top-10 that the candidate path returns;
 * training interactions excluded, as in the full protocol), candidates per user, nDCG@10 / HR@10
 * of both paths (full ranking and 100 sampled negatives), and the served engine's cost per user
 * on both paths: first request (no cached state: scorer, candidates, exact scores, top-10) and
 * the explanations' model part for those 10 items. --cache <file> keeps the fitted embeddings
 * (written after the first run, read by later ones with the same data and seed: no training).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { initBackend } from '../src/model/backend';
import type { EranEmbeddings } from '../src/model/embeddings';
import { openCsvDataset } from '../src/datasets/csv-dataset';
import { collectDataset } from '../src/datasets/collect-dataset';
import { generateMovieWorld, syntheticSource } from '../src/datasets/synthetic';
import type { AttributeRecord, InteractionRecord } from '../src/datasets/dataset.types';
import { eranPlusSpec } from '../src/evaluation/eran-specs';
import type { EranRecommender } from '../src/evaluation/eran-recommender';
import { indexItemAttributes } from '../src/evaluation/item-attributes';
import { tableFromRecords } from '../src/evaluation/interaction-table';
import { topK } from '../src/evaluation/metrics';
import { evaluateLooFull, evaluateLooSampled, testUsers } from '../src/evaluation/protocols';
import { buildLooSplit } from '../src/evaluation/split';
import { row, withAttributes } from '../src/evaluation/train-view';
import { untunedParams } from '../src/evaluation/tune';
import { EranEngine, type ScoringPath } from '../src/served-model/eran-engine';
import type { CatalogueSnapshot, UserHistory } from '../src/served-model/recommender-engine';
import type { CandidateOptions } from '../src/served-model/candidates/candidate-generator';
import { flagMap, flagNumber as num, flagString, log, type FlagMap } from './args';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function loadData(args: FlagMap): Promise<{ name: string; interactions: InteractionRecord[]; attributes: AttributeRecord[] }> {
  const csv = flagString(args, 'csv');
  if (csv !== undefined) {
    const data = await collectDataset(await openCsvDataset(csv));
    return { name: data.name, interactions: [...data.interactions], attributes: [...data.attributes] };
  }
  if (!args.has('synthetic')) throw new Error('expected --csv <dir> or --synthetic');
  const world = generateMovieWorld({ seed: num(args, 'seed', 1), items: num(args, 'items', 2000), users: num(args, 'users', 1500) });
  const data = await collectDataset(syntheticSource(world));
  return { name: 'synthetic', interactions: [...data.interactions], attributes: [...data.attributes] };
}

async function main(): Promise<void> {
  const args = flagMap(process.argv.slice(2));
  const seed = num(args, 'seed', 1);
  const candidates: CandidateOptions = {
    recentPurchases: num(args, 'recent', 20),
    codeNeighbours: num(args, 'code', 10),
    networkNeighbours: num(args, 'network', 5),
    popular: num(args, 'popular', 50),
  };
  await initBackend({ prefer: 'wasm', log });
  const data = await loadData(args);
  const loo = buildLooSplit(tableFromRecords(data.interactions), { seed });
  const view = withAttributes(loo.view, indexItemAttributes(data.attributes, loo.itemIds));
  log(`${data.name}: ${loo.userIds.length} users, ${loo.itemIds.length} items, ${loo.stats.trainPositives} training positives, seed ${seed}`);

  const cache = flagString(args, 'cache') ?? null;
  const pretrained = cache !== null && existsSync(cache) ? readEmbeddings(cache) : undefined;
  if (pretrained) log(`embeddings read from ${cache} (no training)`);
  const spec = eranPlusSpec({ epochs: num(args, 'epochs', 60), maxSeconds: num(args, 'minutes', 10) * 60, candidates, pretrained });
  const model = spec.create(untunedParams(spec)) as EranRecommender;
  const fitStarted = Date.now();
  let lastLog = 0;
  await model.fit(view, {
    seed,
    onProgress: (p) => {
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`  fit: ${p.stage} ${p.done}/${p.total}${p.loss === undefined ? '' : `, loss ${p.loss.toFixed(1)}`}`);
      }
    },
  });
  log(`eran-plus fitted in ${((Date.now() - fitStarted) / 1000).toFixed(0)} s`);
  if (cache !== null && !pretrained) writeEmbeddings(cache, model.inspect()!.embeddings);

  const exact = model.withServingPath('exact');
  const served = model.withServingPath('candidates');
  const users = testUsers(loo);
  let overlap = 0;
  const counts: number[] = [];
  const excluded = new Int32Array(loo.itemIds.length).fill(-1);
  for (const u of users) {
    for (const i of row(view.interactions, u)) excluded[i] = u;
    const skip = (i: number): boolean => excluded[i] === u;
    const top = new Set(topK(exact.scoreUser(u), 10, skip));
    const mine = topK(served.scoreUser(u), 10, skip);
    overlap += mine.filter((i) => top.has(i)).length / Math.max(1, top.size);
    counts.push(model.candidatesOf(u).length);
  }
  counts.sort((a, b) => a - b);
  log(
    `candidate recall@10 (share of the exact top-10 the candidate path returns): ${(overlap / users.length).toFixed(4)} over ${users.length} users; ` +
      `candidates per user: median ${quantile(counts, 0.5)}, p90 ${quantile(counts, 0.9)}, max ${counts[counts.length - 1]} (of ${loo.itemIds.length} items)`,
  );
  for (const [name, m] of [
    ['exact', exact],
    ['candidates', served],
  ] as const) {
    const full = evaluateLooFull(m, loo);
    const sampled = evaluateLooSampled(m, loo);
    log(
      `  ${name.padEnd(10)} full: nDCG@10 ${full.metrics['ndcg@10']!.toFixed(4)}, HR@10 ${full.metrics['hr@10']!.toFixed(4)} | ` +
        `sampled: nDCG@10 ${sampled.metrics['ndcg@10']!.toFixed(4)}, HR@10 ${sampled.metrics['hr@10']!.toFixed(4)}`,
    );
  }
  await measureEngine(model, loo.itemIds, loo.userIds, view, users, num(args, 'users-measured', 0), candidates);
}

/**
 * The served engine over the fitted model, as the API builds it: ids, histories oldest first
 * (recency by position), activated with the training purchases and the networks' strongest links.
 */
async function measureEngine(
  model: EranRecommender,
  itemIds: readonly string[],
  userIds: readonly string[],
  view: ReturnType<typeof withAttributes>,
  users: readonly number[],
  limit: number,
  candidates: CandidateOptions,
): Promise<void> {
  const inspection = model.inspect();
  if (inspection === null) throw new Error('not fitted');
  const { embeddings: emb, networks, viewToGraph, graphToView } = inspection;
  const graphItemIds = Array.from({ length: emb.numItems }, (_, g) => itemIds[graphToView[g]!]!);
  const graphUserIds: string[] = new Array<string>(emb.numUsers).fill('');
  users.forEach((u) => {
    const m = inspection.modelUser(u);
    if (typeof m === 'number') graphUserIds[m] = userIds[u]!;
  });
  graphUserIds.forEach((id, g) => {
    if (id === '') graphUserIds[g] = `unmeasured-${g}`;
  });
  const purchases = new Map<string, number>();
  const links = new Map<string, Map<string, string[]>>();
  for (const net of networks) {
    const byItem = new Map<string, string[]>();
    for (let i = 0; i < net.n; i++) {
      const start = net.indptr[i]!;
      const order = Array.from({ length: net.indptr[i + 1]! - start }, (_, q) => start + q).sort(
        (a, b) => (net.weights?.[b] ?? 1) - (net.weights?.[a] ?? 1) || net.indices[a]! - net.indices[b]!,
      );
      byItem.set(
        graphItemIds[i]!,
        order.slice(0, 10).map((p) => graphItemIds[net.indices[p]!]!),
      );
    }
    links.set(net.kind, byItem);
  }
  for (let u = 0; u < view.numUsers; u++) for (const i of row(view.positives, u)) purchases.set(itemIds[i]!, (purchases.get(itemIds[i]!) ?? 0) + 1);
  const histories = users.slice(0, limit > 0 ? limit : users.length).map((u): UserHistory => {
    // Oldest first: by purchase time where the view has one, else by item order.
    const items = Array.from(row(view.positives, u));
    const times = view.positiveTimes;
    const start = view.positives.indptr[u]!;
    const order = items.map((i, q) => ({ i, t: times ? times[start + q]! : q })).sort((a, b) => a.t - b.t || a.i - b.i);
    return { userId: userIds[u]!, purchased: order.filter(({ i }) => viewToGraph[i]! >= 0).map(({ i }) => itemIds[i]!), version: 1 };
  });
  const snapshot: CatalogueSnapshot = { purchases, links };
  for (const path of ['exact', 'candidates'] as ScoringPath[]) {
    const engine = new EranEngine({ embeddings: emb, model: null, itemIds: graphItemIds, userIds: graphUserIds }, { scoringPath: path, candidates });
    const activated = process.hrtime.bigint();
    await engine.activate(snapshot);
    const activation = Number(process.hrtime.bigint() - activated) / 1e9;
    const first: number[] = [];
    const firstCpu: number[] = [];
    const warm: number[] = [];
    const explain: number[] = [];
    for (const h of histories) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const top = engine.recommend(h, 10, () => true);
      const t1 = process.hrtime.bigint();
      const cpu = process.cpuUsage(c0);
      firstCpu.push((cpu.user + cpu.system) / 1000);
      engine.explain(
        h,
        top.map((s) => s.itemId),
        20,
      );
      const t2 = process.hrtime.bigint();
      engine.recommend(h, 10, () => true);
      const t3 = process.hrtime.bigint();
      first.push(Number(t1 - t0) / 1e6);
      explain.push(Number(t2 - t1) / 1e6);
      warm.push(Number(t3 - t2) / 1e6);
    }
    for (const a of [first, firstCpu, warm, explain]) a.sort((x, y) => x - y);
    const fmt = (a: number[]): string =>
      `p50 ${quantile(a, 0.5).toFixed(2)} ms, p90 ${quantile(a, 0.9).toFixed(2)}, p99 ${quantile(a, 0.99).toFixed(2)}, max ${a[a.length - 1]!.toFixed(1)}`;
    log(`engine ${path.padEnd(10)} (${histories.length} users, activation ${activation.toFixed(2)} s)`);
    log(`  first request (cold): ${fmt(first)}`);
    log(`    its CPU time:       ${fmt(firstCpu)}`);
    log(`  repeat (cached):      ${fmt(warm)}`);
    log(`  explain 10 (model):   ${fmt(explain)}`);
    engine.dispose();
  }
}

/** Embeddings as JSON with base64 Float32 arrays (a bench cache, not a checkpoint format). */
function writeEmbeddings(file: string, emb: EranEmbeddings): void {
  const b64 = (a: Float32Array | null | undefined): string | null => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') : null);
  writeFileSync(
    file,
    JSON.stringify({ ...emb, codes: emb.codes.map(b64), users: b64(emb.users), itemBias: b64(emb.itemBias), itemEmbedding: b64(emb.itemEmbedding) }),
  );
}

function readEmbeddings(file: string): EranEmbeddings {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & {
    codes: string[];
    users: string;
    itemBias: string | null;
    itemEmbedding: string | null;
  };
  const f32 = (s: string): Float32Array => {
    const bytes = Buffer.from(s, 'base64');
    const out = new Float32Array(bytes.length / 4);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  };
  return {
    ...(raw as unknown as EranEmbeddings),
    codes: raw.codes.map(f32),
    users: f32(raw.users),
    itemBias: raw.itemBias === null ? null : f32(raw.itemBias),
    itemEmbedding: raw.itemEmbedding === null ? null : f32(raw.itemEmbedding),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
