import { generateMovieWorld } from '../datasets/synthetic';
import { evaluateLooFull, type Recommender, type TopListRows } from './protocols';
import { buildLooSplit } from './split';
import { row } from './train-view';

describe('full-ranking top lists (the loo-full ranks file)', () => {
  const world = generateMovieWorld({ seed: 9, users: 60, items: 150 });
  const split = buildLooSplit(world.interactions, { seed: 1 });
  const n = split.itemIds.length;

  const collect = (model: Recommender, topListLength: number): { rows: Map<number, TopListRows>; ranks: Int32Array } => {
    const rows = new Map<number, TopListRows>();
    const result = evaluateLooFull(model, split, { onTopList: (u, r) => rows.set(u, r), topListLength });
    return { rows, ranks: result.ranks! };
  };

  it('ranks every row by the protocol rule (1 + candidates at least as high) and always includes the held-out item', () => {
    // Scores with many ties: item index modulo 7.
    const tied: Recommender = { name: 'tied', fit: () => undefined, scoreUser: () => Float32Array.from({ length: n }, (_, i) => i % 7) };
    const { rows, ranks } = collect(tied, 20);
    expect(rows.size).toBeGreaterThan(0);
    for (const [u, r] of rows) {
      const seen = new Set(row(split.view.interactions, u));
      const candidates = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
      expect(r.items[r.targetRow]).toBe(split.testItems[u]);
      expect(r.ranks[r.targetRow]).toBe(ranks[u]);
      for (let k = 0; k < r.items.length; k++) {
        const s = r.scores[k]!;
        expect(r.ranks[k]).toBe(candidates.filter((i) => i % 7 >= s).length);
      }
      // Ranking order: scores never rise down the list (the appended target aside).
      for (let k = 1; k < Math.min(20, r.items.length); k++) expect(r.scores[k]!).toBeLessThanOrEqual(r.scores[k - 1]!);
      expect(r.items.length).toBe(r.targetRow < 20 ? 20 : 21);
    }
  });
});
