import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMovieWorld } from '../datasets/synthetic';
import { createAttributeKnn } from './baselines/attribute-knn';
import { createBprMf } from './baselines/bpr-mf';
import { createEase } from './baselines/ease';
import { createItemKnn } from './baselines/item-knn';
import { createMostPopular } from './baselines/most-popular';
import { parseCsv } from './csv';
import { indexItemAttributes } from './item-attributes';
import { evaluateColdStart, evaluateLooFull, evaluateLooSampled, type Recommender } from './protocols';
import { buildColdStartSplit, buildLooSplit, type LooSplit } from './split';
import { allInteractions, exportSplit, importSplit } from './split-io';
import { withAttributes } from './train-view';

describe('split export and import', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eran-split-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const world = generateMovieWorld({ seed: 5, users: 150, items: 220 });
  // Shuffle the input so that file order and source order differ.
  const shuffled = [...world.interactions].reverse();
  const split = buildLooSplit(shuffled, { seed: 4, numNegatives: 50 });
  const cold = buildColdStartSplit(allInteractions(split), { seed: 4, numItems: 12, minBuyers: 3 });

  it('writes train, test and negatives as CSV with header rows and source ids', async () => {
    await exportSplit(split, dir, cold);
    const train = parseCsv(await readFile(join(dir, 'train.csv'), 'utf8'));
    const test = parseCsv(await readFile(join(dir, 'test.csv'), 'utf8'));
    const negatives = parseCsv(await readFile(join(dir, 'negatives.csv'), 'utf8'));
    expect(train.header).toEqual(['user', 'item', 'rating', 'timestamp']);
    expect(test.header.slice(0, 2)).toEqual(['user', 'item']);
    expect(negatives.header).toEqual(['user', 'item']);
    expect(train.rows.length).toBe(split.train.users.length);
    expect(test.rows.length).toBe(split.userIds.length);
    expect(negatives.rows.length).toBe(split.userIds.length * 50);
    const worldItems = new Set(world.items.map((i) => i.item));
    for (const [, item] of negatives.rows) expect(worldItems.has(item)).toBe(true);
  });

  it('reads back the same indexes, targets, negatives and training data', async () => {
    const { loo, coldItemIds } = await importSplit(dir);
    expect(loo.userIds).toEqual(split.userIds);
    expect(loo.itemIds).toEqual(split.itemIds);
    expect(Array.from(loo.testItems)).toEqual(Array.from(split.testItems));
    expect(Array.from(loo.negatives.indices)).toEqual(Array.from(split.negatives.indices));
    expect(Array.from(loo.negatives.indptr)).toEqual(Array.from(split.negatives.indptr));
    expect(Array.from(loo.view.interactions.indices)).toEqual(Array.from(split.view.interactions.indices));
    expect(Array.from(loo.view.interactions.ratings)).toEqual(Array.from(split.view.interactions.ratings));
    expect(Array.from(loo.view.positives.indices)).toEqual(Array.from(split.view.positives.indices));
    expect(loo.seed).toBe(4);
    expect(loo.numNegatives).toBe(50);
    expect(coldItemIds).toEqual(Array.from(cold.coldItems, (i) => cold.itemIds[i]));
  });

  it('reproduces identical metrics for every protocol', async () => {
    const { loo, coldItemIds } = await importSplit(dir);
    const coldBack = buildColdStartSplit(allInteractions(loo), { seed: 99, coldItemIds, minBuyers: 3 });
    const makers: (() => Recommender)[] = [
      () => createMostPopular(),
      () => createItemKnn({ neighbours: 20 }),
      () => createEase({ lambda: 20 }),
      () => createBprMf({ epochs: 5 }),
    ];
    const metricsOf = async (s: LooSplit, make: () => Recommender) => {
      const m = make();
      await m.fit(s.view, { seed: 1 });
      return { sampled: evaluateLooSampled(m, s).metrics, full: evaluateLooFull(m, s).metrics };
    };
    for (const make of makers) expect(await metricsOf(loo, make)).toEqual(await metricsOf(split, make));
    const coldRecall = async (s: typeof cold) => {
      const m = createAttributeKnn({ neighbours: 20 });
      await m.fit(withAttributes(s.view, indexItemAttributes(world.attributes, s.itemIds)), { seed: 1 });
      return evaluateColdStart(m, s).metrics;
    };
    expect(Array.from(coldBack.coldItems)).toEqual(Array.from(cold.coldItems));
    const recall = await coldRecall(cold);
    expect(recall['recall@10']).toBeGreaterThan(0);
    expect(await coldRecall(coldBack)).toEqual(recall);
  });
});
