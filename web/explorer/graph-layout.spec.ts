import type { ExplanationPath } from './api-types';
import { explanationGraph } from './graph-model';
import { layoutGraph } from './graph-layout';

const path: ExplanationPath = {
  nodes: [
    { type: 'USER', id: '1', name: '1', kind: null },
    { type: 'ITEM', id: '104', name: 'A rather long film title that wraps', kind: null },
    { type: 'ATTRIBUTE', id: 'genre:drama', name: 'Drama', kind: 'genre' },
    { type: 'ITEM', id: '54', name: 'Movie 54', kind: null },
  ],
  relationships: [
    { type: 'PURCHASED', from: '1', to: '104' },
    { type: 'HAS_GENRE', from: '104', to: 'genre:drama' },
    { type: 'HAS_GENRE', from: '54', to: 'genre:drama' },
  ],
};

describe('layoutGraph', () => {
  const graph = explanationGraph(path, '54');
  const layout = layoutGraph(graph);

  it('is the same picture every time (seeded, run to rest)', () => {
    expect(layoutGraph(graph)).toEqual(layout);
  });

  it('reads left to right in path order, the shared value above the items it joins', () => {
    const xs = layout.nodes.map((n) => n.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    const [, purchase, value, item] = layout.nodes;
    expect(value!.y).toBeLessThan(purchase!.y - 20);
    expect(value!.y).toBeLessThan(item!.y - 20);
  });

  it('keeps nodes apart enough for their labels, all inside the drawing box', () => {
    for (const a of layout.nodes) {
      for (const b of layout.nodes) if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThan(100);
      expect(a.x).toBeGreaterThan(layout.box.x);
      expect(a.x).toBeLessThan(layout.box.x + layout.box.width);
      expect(a.y).toBeGreaterThan(layout.box.y);
      expect(a.y).toBeLessThan(layout.box.y + layout.box.height);
    }
  });
});
