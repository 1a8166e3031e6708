import { randomEmbeddings } from '../testing/random-embeddings';
import { CandidateGenerator } from './candidate-generator';
import { CodeIndex } from './code-index';
import { NeighbourLists } from './neighbour-lists';

describe('CandidateGenerator', () => {
  const emb = randomEmbeddings({ numItems: 200, seed: 8 });
  const codes = CodeIndex.build(emb, { neighbours: 6 });
  // A network in which item i links to i+1 and i+2 (the snapshot's strongest links).
  const network = NeighbourLists.fromRows(Array.from({ length: 200 }, (_, i) => [(i + 1) % 200, (i + 2) % 200]));
  const popularity = Int32Array.from({ length: 200 }, (_, i) => 199 - i);
  const user = { items: Int32Array.of(10, 50, 120), recent: Int32Array.of(120, 10, 50) };

  it('unions code-space neighbours and network links of the recent purchases with the most popular items', () => {
    const generator = new CandidateGenerator({ codes, networks: [network, null, null], popularity }, 200, {
      recentPurchases: 2,
      codeNeighbours: 4,
      networkNeighbours: 1,
      popular: 3,
    });
    const got = generator.generate(user);
    const expected = new Set<number>();
    for (const j of [120, 10]) {
      for (let k = 0; k < 3; k++) codes.neighbours(k, j, 4).forEach((y) => expected.add(y));
      expected.add(j + 1);
    }
    [199, 198, 197].forEach((p) => expected.add(p));
    user.items.forEach((owned) => expected.delete(owned));
    // Each candidate once; the oldest seed (50) and second network links (122, 12) only via code space.
    expect(got.length).toBe(new Set(got).size);
    expect(new Set(got)).toEqual(expected);
  });

  it('scans further down the popularity order for what a filter accepts', () => {
    const generator = new CandidateGenerator({ codes, networks: [null, null, null], popularity }, 200, { popular: 0 });
    const even = (x: number): boolean => x % 2 === 0;
    const first = generator.morePopular(user.items, 0, 3, even, new Set([198]));
    expect(Array.from(first.items)).toEqual([196, 194, 192]);
    const second = generator.morePopular(user.items, first.next, 3, even, new Set());
    expect(Array.from(second.items)).toEqual([190, 188, 186]);
  });

  it('links an appended item in code space and in the networks it was given', () => {
    const d = emb.dim;
    const grown = {
      ...emb,
      numItems: 201,
      codes: emb.codes.map((c) => {
        const out = new Float32Array(c.length + d);
        out.set(c);
        for (let t = 0; t < d; t++) out[c.length + t] = c[120 * d + t]! + emb.itemEmbedding![120 * d + t]!;
        return out;
      }),
    };
    const generator = new CandidateGenerator({ codes: CodeIndex.build(emb, { neighbours: 6 }), networks: [network, null, null], popularity }, 200, {
      popular: 0,
    });
    generator.addItem(grown, 200, [[50], [], []]);
    const got = generator.generate({ items: Int32Array.of(120), recent: Int32Array.of(120) });
    expect(Array.from(got)).toContain(200);
    expect(Array.from(generator.generate({ items: Int32Array.of(50), recent: Int32Array.of(50) }))).toContain(200);
  });
});
