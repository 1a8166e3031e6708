/**
 * EASE fit time, former all-JS float64 solve vs the blocked solve on the tfjs matrix product.
 *
 *   npm run bench:ease                          synthetic worlds of 1.6k and 6k items
 *   npm run bench:ease -- --csv ../shared/data/ml100k-cast --sizes none
 *   npm run bench:ease -- --sizes 6000 --skip-old --block 256,512
 *
 * Per dataset: items (and bought items, the size of the solve), then per path the wall and CPU
 * seconds of one fit (Gram matrix + solve + weights), the speed-up, the largest weight difference
 * relative to the largest weight, and the share of users whose full-ranking top 10 is identical
 * under both paths. Also the fit of ItemKNN (k = 100) and of attribute-KNN, which no longer hold
 * an N x N table. Options: --backend auto|wasm|cpu|node, --lambda (default 300), --sizes
 * (comma-separated item counts, or none), --users, --block (comma-separated tile sizes).
 */
import { openCsvDataset } from '../src/datasets/csv-dataset';
import { collectDataset } from '../src/datasets/collect-dataset';
import { generateMovieWorld, proportionalWorldOptions } from '../src/datasets/synthetic';
import type { AttributeRecord, InteractionRecord } from '../src/datasets/dataset.types';
import { createAttributeKnn } from '../src/evaluation/baselines/attribute-knn';
import { boughtItems, cooccurrence } from '../src/evaluation/baselines/cooccurrence';
import { createEase, easeWeightsReference } from '../src/evaluation/baselines/ease';
import { DEFAULT_SPD_BLOCK } from '../src/evaluation/baselines/blocked-spd';
import { createItemKnn } from '../src/evaluation/baselines/item-knn';
import { indexItemAttributes } from '../src/evaluation/item-attributes';
import type { Recommender } from '../src/evaluation/protocols';
import { buildLooSplit } from '../src/evaluation/split';
import { row, type TrainView, withAttributes } from '../src/evaluation/train-view';
import { type BackendPreference, initBackend } from '../src/model/backend';
import { flagMap, flagString as str, log } from './args';

interface Timed<T> {
  readonly value: T;
  readonly wall: number;
  readonly cpu: number;
}

function timed<T>(run: () => T): Timed<T> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = run();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function top10(scores: ArrayLike<number>, exclude: Int32Array): number[] {
  const skip = new Set(exclude);
  return Array.from(scores, (s, j) => [s, j] as const)
    .filter(([, j]) => !skip.has(j))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, 10)
    .map(([, j]) => j);
}

function benchDataset(name: string, view: TrainView, opts: { lambda: number; blocks: readonly number[]; skipOld: boolean }): void {
  const n = view.numItems;
  const m = boughtItems(view).items.length;
  log(`\n${name}: ${view.numUsers} users, ${n} items (${m} bought: the size of the solve), ${view.positives.indices.length} training positives`);
  let reference: Float64Array | undefined;
  let oldWall = NaN;
  if (!opts.skipOld) {
    const old = timed(() => easeWeightsReference(Float64Array.from(cooccurrence(view)), n, opts.lambda));
    reference = old.value;
    oldWall = old.wall;
    log(`  EASE former (JS float64 Cholesky, all ${n} items): ${old.wall.toFixed(2)} s wall, ${old.cpu.toFixed(2)} s CPU`);
  }
  for (const block of opts.blocks) {
    const ease = createEase({ lambda: opts.lambda, block });
    const fit = timed(() => ease.fit(view, { seed: 1 }));
    let line = `  EASE blocked (tile ${block}): ${fit.wall.toFixed(2)} s wall, ${fit.cpu.toFixed(2)} s CPU`;
    if (reference) {
      let worst = 0;
      let largest = 0;
      let same = 0;
      let users = 0;
      for (let u = 0; u < view.numUsers; u++) {
        const bought = row(view.positives, u);
        if (bought.length === 0) continue;
        const expected = new Float64Array(n);
        for (const i of bought) for (let j = 0; j < n; j++) expected[j] += reference[i * n + j]!;
        const got = ease.scoreUser(u);
        for (let j = 0; j < n; j++) {
          worst = Math.max(worst, Math.abs(got[j]! - expected[j]!));
          largest = Math.max(largest, Math.abs(expected[j]!));
        }
        users++;
        if (top10(got, bought).join() === top10(expected, bought).join()) same++;
      }
      line += `; ${(oldWall / fit.wall).toFixed(1)}x faster; score difference <= ${(worst / largest).toExponential(1)} of the largest score; identical top 10 for ${((100 * same) / users).toFixed(1)}% of ${users} users`;
    }
    log(line);
  }
  const knn = timed(() => createItemKnn({ neighbours: 100 }).fit(view, { seed: 1 }));
  log(`  ItemKNN (k = 100) fit: ${knn.wall.toFixed(2)} s wall`);
  if (view.attributes) {
    const attr: Recommender = createAttributeKnn({ neighbours: 100 });
    const fit = timed(() => attr.fit(view, { seed: 1 }));
    log(`  attribute-KNN (k = 100) fit: ${fit.wall.toFixed(2)} s wall`);
  }
}

function viewOf(interactions: readonly InteractionRecord[], attributes: readonly AttributeRecord[]): TrainView {
  const split = buildLooSplit(interactions, { seed: 1 });
  return withAttributes(split.view, attributes.length ? indexItemAttributes(attributes, split.itemIds) : undefined);
}

async function main(): Promise<void> {
  const args = flagMap(process.argv.slice(2));
  const backend = await initBackend({ prefer: (str(args, 'backend') ?? 'auto') as BackendPreference });
  log(`tfjs backend ${backend.name}: ${backend.reason}`);
  const lambda = Number(str(args, 'lambda') ?? 300);
  const blocks = (str(args, 'block') ?? String(DEFAULT_SPD_BLOCK)).split(',').map(Number);
  const opts = { lambda, blocks, skipOld: args.has('skip-old') };
  log(`lambda ${lambda}`);
  const csv = str(args, 'csv');
  if (csv) {
    const data = await collectDataset(await openCsvDataset(csv));
    benchDataset(`csv:${csv}`, viewOf(data.interactions, data.attributes), opts);
  }
  const sizes = str(args, 'sizes') ?? '1682,6000';
  if (sizes === 'none') return;
  for (const items of sizes.split(',').map(Number)) {
    // 1,682 items with 943 users is ML-100k's shape; 6k items with 700 users (about 57k positives) the catalogue.
    const users = Number(str(args, 'users') ?? (items <= 2000 ? 943 : 700));
    const purchases: [number, number] = items <= 2000 ? [20, 100] : [50, 130];
    const world = generateMovieWorld(proportionalWorldOptions(users, items, purchases, 7));
    benchDataset(`synthetic ${items} items`, viewOf(world.interactions, world.attributes), opts);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
