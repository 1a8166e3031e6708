import { generateMovieWorld, syntheticSource, SyntheticWorld } from './synthetic';
import { createRng } from './rng';

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
