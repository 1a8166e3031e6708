import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  generateMovieWorld,
  generateWorldTables,
  scaledWorldOptions,
  syntheticSource,
  SyntheticWorld,
  worldTablesSource,
  writeWorldCsv,
  type WorldTables,
} from './synthetic';
import { createRng } from './rng';
import { collectDataset } from './collect-dataset';
import { openCsvDataset } from './csv-dataset';

/** Share of a user's purchases that carry at least one of the given values of `kind`. */
function shareCarrying(world: SyntheticWorld, user: string, kind: string, values: readonly string[]): number {
  const carriers = new Set(world.attributes.filter((a) => a.kind === kind && values.includes(a.value)).map((a) => a.item));
  const bought = world.interactions.filter((r) => r.user === user);
  return bought.filter((r) => carriers.has(r.item)).length / bought.length;
}

describe('createRng', () => {
  it('is deterministic per seed and uniform-ish', () => {
    const a = createRng(7);
    const b = createRng(7);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(createRng(8).next()).not.toBe(createRng(7).next());
  });

  it('draws ints in range and weighted indexes only where weight > 0', () => {
    const rng = createRng(1);
    for (let k = 0; k < 200; k++) {
      const v = rng.int(3, 5);
      expect(v >= 3 && v <= 5).toBe(true);
      expect([1, 3]).toContain(rng.weightedIndex([0, 1, 0, 2]));
    }
    expect(() => rng.weightedIndex([0, 0])).toThrow(RangeError);
  });
});

describe('generateMovieWorld', () => {
  const world = generateMovieWorld({ seed: 3 });

  it('is deterministic per seed and differs across seeds', () => {
    const again = generateMovieWorld({ seed: 3 });
    expect(again.interactions).toEqual(world.interactions);
    expect(again.attributes).toEqual(world.attributes);
    expect([...again.drivers]).toEqual([...world.drivers]);
    expect(generateMovieWorld({ seed: 4 }).interactions).not.toEqual(world.interactions);
  });

  it('has the default shape with readable names and slug ids', () => {
    expect(world.items).toHaveLength(300);
    expect(world.drivers.size).toBe(200);
    expect(world.items[16]).toMatchObject({ item: '17', title: 'Movie 17' });
    const actors = world.attributes.filter((a) => a.item === '1' && a.kind === 'actor');
    expect(actors.map((a) => a.rank)).toEqual([1, 2, 3, 4]);
    expect(actors[0].value).toMatch(/^actor-\d+$/);
    expect(actors[0].name).toMatch(/^Actor \d+$/);
    expect(world.attributes.filter((a) => a.item === '1' && a.kind === 'director')).toHaveLength(1);
    const genres = world.attributes.filter((a) => a.item === '1' && a.kind === 'genre').length;
    expect(genres).toBeGreaterThanOrEqual(1);
    expect(genres).toBeLessThanOrEqual(3);
  });

  it('splits users evenly across driver kinds', () => {
    const counts = new Map<string, number>();
    for (const kind of world.drivers.values()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    for (const kind of ['actor', 'director', 'genre']) {
      expect(counts.get(kind)).toBeGreaterThanOrEqual(66);
      expect(counts.get(kind)).toBeLessThanOrEqual(67);
    }
  });

  it('gives each user distinct items, purchases in range and increasing timestamps', () => {
    const byUser = new Map<string, number[]>();
    for (const r of world.interactions) {
      expect(r.rating).toBeGreaterThanOrEqual(1);
      expect(r.rating).toBeLessThanOrEqual(5);
      const list = byUser.get(r.user) ?? [];
      list.push(r.timestamp!);
      byUser.set(r.user, list);
    }
    for (const [user, times] of byUser) {
      expect(times.length).toBeGreaterThanOrEqual(10);
      expect(times.length).toBeLessThanOrEqual(25);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      const items = world.interactions.filter((r) => r.user === user).map((r) => r.item);
      expect(new Set(items).size).toBe(items.length);
    }
    expect(generateMovieWorld({ withTimestamps: false }).interactions[0].timestamp).toBeUndefined();
  });

  it('plants drivers that show in the data far more than chance', () => {
    // For each driver kind: the share of a user's purchases carrying their favourites, versus the
    // same share for random other users of a different driver (the chance level).
    for (const kind of ['actor', 'director', 'genre']) {
      const users = [...world.drivers].filter(([, k]) => k === kind).map(([u]) => u);
      const others = [...world.drivers].filter(([, k]) => k !== kind).map(([u]) => u);
      let own = 0;
      let chance = 0;
      users.forEach((u, n) => {
        const favs = world.favourites.get(u)!;
        own += shareCarrying(world, u, kind, favs);
        chance += shareCarrying(world, others[n % others.length], kind, favs);
      });
      own /= users.length;
      chance /= users.length;
      expect(own).toBeGreaterThan(0.7);
      expect(own).toBeGreaterThan(3 * chance);
    }
  });

  it('keeps driven ratings high and is not trivial (popular items span drivers)', () => {
    const driverOf = (u: string) => world.drivers.get(u)!;
    const buyersByItem = new Map<string, Set<string>>();
    for (const r of world.interactions) {
      const s = buyersByItem.get(r.item) ?? new Set();
      s.add(driverOf(r.user));
      buyersByItem.set(r.item, s);
    }
    const mixed = [...buyersByItem.values()].filter((s) => s.size === 3).length;
    expect(mixed).toBeGreaterThan(30);
    const high = world.interactions.filter((r) => r.rating >= 4).length / world.interactions.length;
    expect(high).toBeGreaterThan(0.8);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => generateMovieWorld({ users: 0 })).toThrow(/users must be a positive integer/);
    expect(() => generateMovieWorld({ purchasesPerUser: [5, 2] })).toThrow(/purchasesPerUser/);
    expect(() => generateMovieWorld({ noise: 2 })).toThrow(/noise/);
  });

  it('streams through syntheticSource', async () => {
    const source = syntheticSource(world);
    expect(source.kinds).toEqual(['actor', 'director', 'genre']);
    let n = 0;
    for await (const r of source.interactions()) if (r.user) n++;
    expect(n).toBe(world.interactions.length);
  });
});

describe('generateWorldTables at catalogue scale', () => {
  // A fifth of the 100k-item benchmark world: same options, same per-user shape.
  const tables: WorldTables = generateWorldTables(scaledWorldOptions({ items: 20_000, users: 10_000, seed: 9 }));

  it('has the requested size and ~100 purchases per user (50-150), distinct items in time order', () => {
    expect(tables.items).toBe(20_000);
    expect(tables.users).toBe(10_000);
    expect(tables.userPtr[tables.users]).toBe(tables.purchaseItem.length);
    const mean = tables.purchaseItem.length / tables.users;
    expect(mean).toBeGreaterThan(95);
    expect(mean).toBeLessThan(105);
    // Counted, then asserted once: an expect per purchase would dominate the test's run time.
    const seen = new Int32Array(tables.items);
    const problems = { outOfRange: 0, repeated: 0, timeNotIncreasing: 0 };
    for (let u = 0; u < tables.users; u++) {
      const n = tables.userPtr[u + 1] - tables.userPtr[u];
      if (n < 50 || n > 150) problems.outOfRange++;
      for (let r = tables.userPtr[u]; r < tables.userPtr[u + 1]; r++) {
        const i = tables.purchaseItem[r];
        if (seen[i] === u + 1) problems.repeated++;
        seen[i] = u + 1;
        if (r > tables.userPtr[u] && tables.purchaseTime[r] <= tables.purchaseTime[r - 1]) problems.timeNotIncreasing++;
      }
    }
    expect(problems).toEqual({ outOfRange: 0, repeated: 0, timeNotIncreasing: 0 });
  });

  it('scales the value catalogues: one actor per 10 items, one director per 100, 16 genres', () => {
    expect(tables.kinds.map((k) => k.valueCount)).toEqual([2000, 200, 16]);
    for (const table of tables.kinds) {
      expect(table.ptr[tables.items]).toBe(table.values.length);
      expect(Math.max(...table.values)).toBeLessThan(table.valueCount);
    }
  });

  it('plants each driver kind far above chance', () => {
    const carries = (k: number, i: number, favs: Int32Array): boolean => {
      const t = tables.kinds[k];
      for (let p = t.ptr[i]; p < t.ptr[i + 1]; p++) if (favs.includes(t.values[p])) return true;
      return false;
    };
    const share = (u: number, k: number, favs: Int32Array): number => {
      let hits = 0;
      for (let r = tables.userPtr[u]; r < tables.userPtr[u + 1]; r++) if (carries(k, tables.purchaseItem[r], favs)) hits++;
      return hits / (tables.userPtr[u + 1] - tables.userPtr[u]);
    };
    const own = [0, 0, 0];
    const chance = [0, 0, 0];
    const n = [0, 0, 0];
    for (let u = 0; u < tables.users; u += 5) {
      const k = tables.drivers[u];
      const favs = tables.favourites.subarray(tables.favouritePtr[u], tables.favouritePtr[u + 1]);
      own[k] += share(u, k, favs);
      chance[k] += share((u + 1) % tables.users, k, favs);
      n[k]++;
    }
    for (let k = 0; k < 3; k++) {
      expect(own[k] / n[k]).toBeGreaterThan(0.7);
      expect(own[k] / n[k]).toBeGreaterThan(5 * (chance[k] / n[k]));
    }
  });

  it('is deterministic per seed', () => {
    const small = scaledWorldOptions({ items: 1000, users: 100, seed: 4 });
    const a = generateWorldTables(small);
    const b = generateWorldTables(small);
    const same = (x: ArrayBufferView, y: ArrayBufferView): boolean =>
      Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    expect(same(b.purchaseItem, a.purchaseItem)).toBe(true);
    expect(same(b.purchaseRating, a.purchaseRating)).toBe(true);
    expect(same(b.purchaseTime, a.purchaseTime)).toBe(true);
    expect(same(b.kinds[0].values, a.kinds[0].values)).toBe(true);
    expect(same(generateWorldTables({ ...small, seed: 5 }).purchaseItem, a.purchaseItem)).toBe(false);
  });
});

describe('the columns as records, a stream and CSV files', () => {
  const options = { seed: 6, users: 40, items: 70 };
  const world = generateMovieWorld(options);
  const tables = generateWorldTables(options);

  it('streams the same records generateMovieWorld materialises', async () => {
    const streamed = await collectDataset(worldTablesSource(tables));
    expect(streamed.items).toEqual(world.items);
    expect(streamed.attributes).toEqual(world.attributes);
    expect(streamed.interactions).toEqual(world.interactions);
  });

  it('writes the generic CSV layout that reads back to the same records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eran-world-'));
    await writeWorldCsv(tables, dir);
    const read = await collectDataset(await openCsvDataset(dir));
    expect(read.items).toEqual(world.items);
    expect(read.attributes).toEqual(world.attributes);
    expect(read.interactions).toEqual(world.interactions);
    expect(read.kinds).toEqual(['actor', 'director', 'genre']);
  });
});
