import type { InteractionRecord } from '../datasets/dataset.types';
import { generateMovieWorld } from '../datasets/synthetic';
import { buildColdStartSplit, buildColdStartValidationSplit, buildLooSplit, buildValidationSplit, type LooSplit } from './split';
import { row } from './train-view';

const world = generateMovieWorld({ seed: 7, users: 120, items: 200 });

function positivesByUser(records: readonly InteractionRecord[]): Map<string, InteractionRecord[]> {
  const out = new Map<string, InteractionRecord[]>();
  for (const r of records) if (r.rating > 3) out.set(r.user, [...(out.get(r.user) ?? []), r]);
  return out;
}

function itemsOf(split: LooSplit, u: number): Set<number> {
  const out = new Set<number>(row(split.view.interactions, u));
  out.add(split.testItems[u]);
  return out;
}

describe('buildLooSplit', () => {
  const split = buildLooSplit(world.interactions, { seed: 1 });
  const positives = positivesByUser(world.interactions);

  it('holds out exactly one positive per eligible user and drops the others', () => {
    const eligible = [...positives.entries()]
      .filter(([, p]) => p.length >= 5)
      .map(([u]) => u)
      .sort((a, b) => +a - +b);
    expect(split.userIds).toEqual(eligible);
    expect(split.test.users.length).toBe(eligible.length);
    expect(new Set(split.test.users).size).toBe(eligible.length);
    for (let r = 0; r < split.test.users.length; r++) expect(split.test.ratings[r]).toBeGreaterThan(3);
    expect(split.stats.droppedUsers).toBe(world.drivers.size - eligible.length);
  });

  it('holds out the latest positive, and keeps every other interaction (low ratings too) in train', () => {
    let lowRatedInTrain = 0;
    split.userIds.forEach((user, u) => {
      const mine = world.interactions.filter((r) => r.user === user);
      const latest = Math.max(...mine.filter((r) => r.rating > 3).map((r) => r.timestamp!));
      expect(split.test.timestamps[Array.from(split.test.users).indexOf(u)]).toBe(latest);
      expect(split.view.interactions.indptr[u + 1] - split.view.interactions.indptr[u]).toBe(mine.length - 1);
      lowRatedInTrain += mine.filter((r) => r.rating <= 3).length;
      expect(row(split.view.positives, u)).not.toContain(split.testItems[u]);
    });
    const trainLow = Array.from(split.view.interactions.ratings).filter((x) => x <= 3).length;
    expect(trainLow).toBe(lowRatedInTrain);
    expect(lowRatedInTrain).toBeGreaterThan(0);
  });

  it('samples 100 distinct negatives per user, none of which the user ever interacted with', () => {
    split.userIds.forEach((_, u) => {
      const negs = Array.from(row(split.negatives, u));
      expect(negs.length).toBe(100);
      expect(new Set(negs).size).toBe(100);
      const mine = itemsOf(split, u);
      for (const n of negs) {
        expect(mine.has(n)).toBe(false);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThan(split.itemIds.length);
      }
    });
  });

  it('takes every remaining item when fewer than the requested negatives are left', () => {
    const small = buildLooSplit(world.interactions, { seed: 1, numNegatives: 10_000 });
    const u = 0;
    expect(row(small.negatives, u).length).toBe(small.itemIds.length - itemsOf(small, u).size);
  });

  it('is deterministic per seed; another seed changes the negatives', () => {
    const again = buildLooSplit(world.interactions, { seed: 1 });
    expect(Array.from(again.negatives.indices)).toEqual(Array.from(split.negatives.indices));
    expect(Array.from(again.testItems)).toEqual(Array.from(split.testItems));
    const other = buildLooSplit(world.interactions, { seed: 2 });
    expect(Array.from(other.negatives.indices)).not.toEqual(Array.from(split.negatives.indices));
  });

  it('holds out a seeded random positive when there are no timestamps, and honours the options', () => {
    const untimed = world.interactions.map(({ user, item, rating }) => ({ user, item, rating }));
    const a = buildLooSplit(untimed, { seed: 1 });
    const b = buildLooSplit(untimed, { seed: 2 });
    expect(a.stats.heldOutByTimestamp).toBe(0);
    expect(Array.from(a.testItems)).not.toEqual(Array.from(b.testItems));
    const strict = buildLooSplit(untimed, { seed: 1, positiveThreshold: 4, minPositives: 8, numNegatives: 20 });
    for (let r = 0; r < strict.test.ratings.length; r++) expect(strict.test.ratings[r]).toBe(5);
    expect(strict.userIds.length).toBeLessThan(a.userIds.length);
    expect(row(strict.negatives, 0).length).toBe(20);
  });

  it('rejects bad options with a message naming what was expected', () => {
    expect(() => buildLooSplit(world.interactions, { seed: 1, numNegatives: -1 })).toThrow(/numNegatives must be an integer >= 0, got -1/);
    expect(() => buildLooSplit(world.interactions, { seed: 1, minPositives: 0.5 })).toThrow(/minPositives/);
    expect(() => buildColdStartSplit(world.interactions, { seed: 1, numItems: 0 })).toThrow(/numItems must be an integer >= 1/);
  });

  it('breaks timestamp ties at random, per seed', () => {
    const tied: InteractionRecord[] = [];
    for (let u = 1; u <= 40; u++) for (let i = 1; i <= 6; i++) tied.push({ user: `${u}`, item: `${i}`, rating: 5, timestamp: 100 });
    const a = buildLooSplit(tied, { seed: 1 });
    const b = buildLooSplit(tied, { seed: 2 });
    expect(new Set(a.testItems).size).toBeGreaterThan(1);
    expect(Array.from(a.testItems)).not.toEqual(Array.from(b.testItems));
  });

  it("validation holds out each user's latest training positive and keeps the catalogue", () => {
    const v = buildValidationSplit(split);
    expect(v.itemIds).toBe(split.itemIds);
    expect(v.userIds).toEqual(split.userIds);
    split.userIds.forEach((_, u) => {
      expect(row(split.view.positives, u)).toContain(v.testItems[u]);
      expect(v.testItems[u]).not.toBe(split.testItems[u]);
      for (const n of row(v.negatives, u)) expect(row(split.view.interactions, u)).not.toContain(n);
    });
  });
});

describe('buildColdStartSplit', () => {
  const cold = buildColdStartSplit(world.interactions, { seed: 3, numItems: 15, minBuyers: 3 });

  it('removes every interaction with the held-out items from train', () => {
    expect(cold.coldItems.length).toBe(15);
    const isCold = new Set(cold.coldItems);
    for (const i of cold.view.interactions.indices) expect(isCold.has(i)).toBe(false);
  });

  it('lists the real buyers (positive raters) of each held-out item', () => {
    cold.coldItems.forEach((item, c) => {
      const id = cold.itemIds[item];
      const buyers = world.interactions
        .filter((r) => r.item === id && r.rating > 3 && cold.userIds.includes(r.user))
        .map((r) => cold.userIds.indexOf(r.user))
        .sort((a, b) => a - b);
      expect(Array.from(cold.buyers[c])).toEqual(buyers);
      expect(buyers.length).toBeGreaterThanOrEqual(3);
    });
  });

  it('respects the item filter and is deterministic per seed', () => {
    const odd = buildColdStartSplit(world.interactions, { seed: 3, numItems: 10, minBuyers: 3, itemFilter: (id) => +id % 2 === 1 });
    for (const i of odd.coldItems) expect(+odd.itemIds[i] % 2).toBe(1);
    const again = buildColdStartSplit(world.interactions, { seed: 3, numItems: 15, minBuyers: 3 });
    expect(Array.from(again.coldItems)).toEqual(Array.from(cold.coldItems));
  });

  it('validation holds out further items from the cold-start train', () => {
    const v = buildColdStartValidationSplit(cold, { numItems: 10, minBuyers: 3 });
    const first = new Set(cold.coldItems);
    for (const i of v.coldItems) expect(first.has(i)).toBe(false);
    expect(v.coldItems.length).toBe(10);
  });
});
