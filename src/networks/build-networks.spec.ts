import type { AttributeRecord, InteractionRecord } from '../datasets/dataset.types';
import { generateMovieWorld } from '../datasets/synthetic';
import { buildAttributeNetworks, compareIds, NetworkEdge } from './build-networks';

/**
 * Hand-made world. Item order (numeric-aware): 1, 2, 3, 4, 5, 10. Item 5 is never bought.
 * Values:  1 {a1,a2 | g1}   2 {a1 | g1,g2}   3 {a2,a3 | g2}   4 {a3 | d1 | g1}   10 {a1,a2 | d1 | g1,g2}
 * Positives (rating > 3): user 1 {1,2,10}; user 2 {1,3,10} (4 rated 2); user 12 {2,4,10};
 * user 3 {1} (dropped when minHistory >= 2); user 5 {3,4}.
 * Co-purchase counts: 1-2:1 1-3:1 1-10:2 2-4:1 2-10:2 3-4:1 3-10:1 4-10:1.
 */
const values: Record<string, { actor: string[]; director: string[]; genre: string[] }> = {
  '1': { actor: ['a1', 'a2'], director: [], genre: ['g1'] },
  '2': { actor: ['a1'], director: [], genre: ['g1', 'g2'] },
  '3': { actor: ['a2', 'a3'], director: [], genre: ['g2'] },
  '4': { actor: ['a3'], director: ['d1'], genre: ['g1'] },
  '5': { actor: ['a1'], director: [], genre: ['g1'] },
  '10': { actor: ['a2', 'a1'], director: ['d1'], genre: ['g2', 'g1'] },
};
const attributes: AttributeRecord[] = [
  ...Object.entries(values).flatMap(([item, v]) =>
    (['actor', 'director', 'genre'] as const).flatMap((kind) => v[kind].map((value) => ({ item, kind, value, name: value.toUpperCase() }))),
  ),
  { item: '99', kind: 'actor', value: 'a1', name: 'A1' },
];
const items = ['10', '1', '2', '3', '4', '5'].map((item) => ({ item, title: `Movie ${item}` }));
const r = (user: string, item: string, rating: number): InteractionRecord => ({ user, item, rating });
const interactions: InteractionRecord[] = [
  r('1', '1', 5),
  r('1', '2', 4),
  r('1', '10', 5),
  r('2', '1', 4),
  r('2', '3', 5),
  r('2', '10', 4),
  r('2', '4', 2),
  r('2', '99', 5),
  r('12', '2', 5),
  r('12', '4', 5),
  r('12', '10', 5),
  r('3', '1', 5),
  r('3', '3', 1),
  r('5', '3', 4),
  r('5', '4', 5),
];
const input = { items, attributes, interactions };

const e = (a: string, b: string, weight: number, ...via: string[]): NetworkEdge => ({ a, b, weight, via });

describe('buildAttributeNetworks', () => {
  it('builds G_k = co-purchase edges whose items share a value of k, with weight and sorted via', () => {
    const built = buildAttributeNetworks(input, { minHistory: 2 });
    expect(built.edges.get('actor')).toEqual([
      e('1', '2', 1, 'a1'),
      e('1', '3', 1, 'a2'),
      e('1', '10', 2, 'a1', 'a2'),
      e('2', '10', 2, 'a1'),
      e('3', '4', 1, 'a3'),
      e('3', '10', 1, 'a2'),
    ]);
    expect(built.edges.get('director')).toEqual([e('4', '10', 1, 'd1')]);
    expect(built.edges.get('genre')).toEqual([
      e('1', '2', 1, 'g1'),
      e('1', '10', 2, 'g1'),
      e('2', '4', 1, 'g1'),
      e('2', '10', 2, 'g1', 'g2'),
      e('3', '10', 1, 'g2'),
      e('4', '10', 1, 'g1'),
    ]);
    expect(built.stats).toMatchObject({
      items: 6,
      usersTotal: 5,
      usersKept: 4,
      usersDropped: 1,
      positives: 11,
      trainingPositives: 11,
      unknownItemInteractions: 1,
      unknownItemAttributes: 1,
      coPurchaseEdges: 8,
      edgesPerKind: { actor: 6, director: 1, genre: 6 },
    });
  });

  it('emits GraphData with numeric-aware item/user order, sorted symmetric CSR rows and weights', () => {
    const { graph } = buildAttributeNetworks(input, { minHistory: 2 });
    expect(graph.itemIds).toEqual(['1', '2', '3', '4', '5', '10']);
    expect(graph.userIds).toEqual(['1', '2', '5', '12']);
    expect(graph.userItems.map((row) => Array.from(row))).toEqual([
      [0, 1, 5],
      [0, 2, 5],
      [2, 3],
      [1, 3, 5],
    ]);
    expect(graph.networks.map((n) => n.kind)).toEqual(['actor', 'director', 'genre']);
    const actor = graph.networks[0];
    expect(actor.n).toBe(6);
    expect(Array.from(actor.indptr)).toEqual([0, 3, 5, 8, 9, 9, 12]);
    expect(Array.from(actor.indices)).toEqual([1, 2, 5, 0, 5, 0, 3, 5, 2, 0, 1, 2]);
    expect(Array.from(actor.weights!)).toEqual([1, 1, 2, 1, 2, 1, 1, 1, 1, 2, 2, 1]);
  });

  it('drops users below minHistory entirely (their pairs count nowhere)', () => {
    const strict = buildAttributeNetworks(input, { minHistory: 3 });
    // User 5 ({3,4}) goes, and with it the only support of 3-4.
    expect(strict.graph.userIds).toEqual(['1', '2', '12']);
    expect(strict.edges.get('actor')!.map((x) => `${x.a}-${x.b}`)).not.toContain('3-4');
    expect(buildAttributeNetworks(input).stats.usersKept).toBe(0);
  });

  it('applies minSupport to the co-purchase count', () => {
    const built = buildAttributeNetworks(input, { minHistory: 2, minSupport: 2 });
    expect(built.edges.get('actor')).toEqual([e('1', '10', 2, 'a1', 'a2'), e('2', '10', 2, 'a1')]);
    expect(built.edges.get('director')).toEqual([]);
    expect(built.edges.get('genre')).toEqual([e('1', '10', 2, 'g1'), e('2', '10', 2, 'g1', 'g2')]);
    expect(built.stats.coPurchaseEdges).toBe(2);
  });

  it('keeps an edge under topM iff it is in the top M of either endpoint (weight desc, id asc as strings)', () => {
    // Actor neighbours ranked: 1: 10(2) 2 3 | 2: 10(2) 1 | 3: 1 10 4 (ties; '10' < '4' as strings)
    // | 4: 3 | 10: 1(2) 2(2) 3.  Top-1 union: 1-10, 2-10, 1-3, 3-4.
    const top1 = buildAttributeNetworks(input, { minHistory: 2, topM: 1 });
    expect(top1.edges.get('actor')).toEqual([e('1', '3', 1, 'a2'), e('1', '10', 2, 'a1', 'a2'), e('2', '10', 2, 'a1'), e('3', '4', 1, 'a3')]);
    expect(top1.stats.edgesBeforeTopM.actor).toBe(6);
    expect(top1.stats.edgesPerKind.actor).toBe(4);
    // Top-2: item 3 keeps 1 and '10' (string order), which saves 3-10; numeric order would drop it.
    const top2 = buildAttributeNetworks(input, { minHistory: 2, topM: 2 });
    expect(top2.edges.get('actor')).toHaveLength(6);
    expect(Array.from(top1.graph.networks[0].indptr)).toEqual([0, 2, 3, 5, 6, 6, 8]);
  });

  it('excludes held-out pairs from training positives, counting minHistory before removal', () => {
    const built = buildAttributeNetworks(input, {
      minHistory: 3,
      heldOut: [
        { user: '1', item: '10' },
        { user: '12', item: '77' },
      ],
    });
    expect(built.graph.userIds).toEqual(['1', '2', '12']);
    expect(Array.from(built.graph.userItems[0])).toEqual([0, 1]);
    expect(built.stats).toMatchObject({ positives: 9, trainingPositives: 8, heldOutRemoved: 1 });
    // 1-10 and 2-10 lose user 1's support; 1-2 keeps it.
    expect(built.edges.get('actor')).toEqual([
      e('1', '2', 1, 'a1'),
      e('1', '3', 1, 'a2'),
      e('1', '10', 1, 'a1', 'a2'),
      e('2', '10', 1, 'a1'),
      e('3', '10', 1, 'a2'),
    ]);
  });

  it('uses the last rating of a repeated pair, the kinds option, threshold and via cap', () => {
    const repeated = [...interactions, r('5', '3', 2)];
    const built = buildAttributeNetworks({ ...input, interactions: repeated }, { minHistory: 1, kinds: ['director'] });
    expect([...built.edges.keys()]).toEqual(['director']);
    expect(built.graph.userIds).toEqual(['1', '2', '3', '5', '12']);
    expect(Array.from(built.graph.userItems[3])).toEqual([3]);
    const lenient = buildAttributeNetworks(input, { minHistory: 2, positiveThreshold: 1 });
    // Rating 2 (user 2, item 4) now counts; user 3 still has one positive (rating 1 is not > 1) and goes.
    expect(lenient.stats).toMatchObject({ positives: 12, usersKept: 4 });

    const many = ['v7', 'v1', 'v3', 'v6', 'v2', 'v5', 'v4'];
    const wide = buildAttributeNetworks(
      {
        items: [
          { item: 'x', title: 'X' },
          { item: 'y', title: 'Y' },
        ],
        attributes: ['x', 'y'].flatMap((item) => many.map((value) => ({ item, kind: 'tag', value, name: value }))),
        interactions: [r('u', 'x', 5), r('u', 'y', 5)],
      },
      { minHistory: 1 },
    );
    expect(wide.edges.get('tag')).toEqual([e('x', 'y', 1, 'v1', 'v2', 'v3', 'v4', 'v5')]);
  });

  it('rejects bad options', () => {
    expect(() => buildAttributeNetworks(input, { minSupport: 0 })).toThrow(/minSupport/);
    expect(() => buildAttributeNetworks(input, { topM: 0 })).toThrow(/topM/);
  });

  it('agrees with the brute-force reference under every cap setting; a cap above every degree changes nothing', () => {
    const world = generateMovieWorld({ seed: 8, users: 50, items: 70 });
    for (const caps of [
      { minSupport: 1, topM: null },
      { minSupport: 1, topM: 1 },
      { minSupport: 1, topM: 4 },
      { minSupport: 3, topM: 2 },
    ]) {
      const built = buildAttributeNetworks(world, { minHistory: 5, ...caps });
      for (const kind of ['actor', 'director', 'genre']) {
        expect({ caps, kind, edges: built.edges.get(kind) }).toEqual({ caps, kind, edges: bruteForce(world, kind, { minHistory: 5, heldOut: [], ...caps }) });
      }
    }
    const uncapped = buildAttributeNetworks(world, { minHistory: 5, topM: null });
    const roomy = buildAttributeNetworks(world, { minHistory: 5, topM: world.items.length });
    expect(roomy.edges).toEqual(uncapped.edges);
    expect(roomy.stats.edgesBeforeTopM).toEqual(uncapped.stats.edgesPerKind);
  });

  it('agrees with a brute-force reference on a synthetic world (with topM and held-out pairs)', () => {
    const world = generateMovieWorld({ seed: 5, users: 60, items: 80 });
    const heldOut = world.interactions.filter((_, n) => n % 7 === 0);
    const opts = { minHistory: 4, minSupport: 2, topM: 5, heldOut };
    const built = buildAttributeNetworks(world, opts);
    for (const kind of ['actor', 'director', 'genre']) {
      expect(built.edges.get(kind)).toEqual(bruteForce(world, kind, opts));
    }
    const graph = built.graph;
    for (const net of graph.networks) {
      expect(net.indptr[net.n]).toBe(2 * built.stats.edgesPerKind[net.kind]);
      for (let i = 0; i < net.n; i++) {
        const row = Array.from(net.indices.subarray(net.indptr[i], net.indptr[i + 1]));
        expect(row).toEqual([...row].sort((x, y) => x - y));
      }
    }
  });
});

/** Straightforward O(users * items^2) restatement of the documented semantics. */
function bruteForce(
  world: { items: { item: string }[]; attributes: AttributeRecord[]; interactions: InteractionRecord[] },
  kind: string,
  opts: { minHistory: number; minSupport: number; topM: number | null; heldOut: readonly { user: string; item: string }[] },
): NetworkEdge[] {
  const last = new Map<string, number>();
  for (const x of world.interactions) last.set(`${x.user}|${x.item}`, x.rating);
  const pos = new Map<string, string[]>();
  for (const [key, rating] of last) {
    const [user, item] = key.split('|');
    if (rating > 3) pos.set(user, [...(pos.get(user) ?? []), item]);
  }
  const held = new Set(opts.heldOut.map((x) => `${x.user}|${x.item}`));
  const baskets = [...pos].filter(([, list]) => list.length >= opts.minHistory).map(([u, list]) => new Set(list.filter((i) => !held.has(`${u}|${i}`))));
  const vals = (item: string) => new Set(world.attributes.filter((a) => a.item === item && a.kind === kind).map((a) => a.value));
  const ids = world.items.map((x) => x.item).sort(compareIds);
  const all: NetworkEdge[] = [];
  for (let p = 0; p < ids.length; p++) {
    for (let q = p + 1; q < ids.length; q++) {
      const c = baskets.filter((b) => b.has(ids[p]) && b.has(ids[q])).length;
      const vq = vals(ids[q]);
      const via = [...vals(ids[p])].filter((v) => vq.has(v)).sort();
      if (c >= opts.minSupport && via.length > 0) all.push(e(ids[p], ids[q], c, ...via.slice(0, 5)));
    }
  }
  const top = (item: string) =>
    all
      .filter((x) => x.a === item || x.b === item)
      .map((x) => ({ x, other: x.a === item ? x.b : x.a }))
      .sort((s, t) => t.x.weight - s.x.weight || (s.other < t.other ? -1 : 1))
      .map((s) => s.x);
  if (opts.topM === null) return all;
  const topM = opts.topM;
  const keep = new Set(ids.flatMap((item) => top(item).slice(0, topM)));
  return all.filter((x) => keep.has(x));
}
