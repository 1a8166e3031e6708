import type { ExplanationPath } from './api-types';
import { describeGraph, explanationGraph, relationshipWords } from './graph-model';

const shared: ExplanationPath = {
  nodes: [
    { type: 'USER', id: '1', name: '1', kind: null },
    { type: 'ITEM', id: '104', name: 'Movie 104', kind: null },
    { type: 'ATTRIBUTE', id: 'actor:a37', name: 'Actor 37', kind: 'actor' },
    { type: 'ITEM', id: '54', name: 'Movie 54', kind: null },
  ],
  relationships: [
    { type: 'PURCHASED', from: '1', to: '104' },
    { type: 'HAS_ACTOR', from: '104', to: 'actor:a37' },
    { type: 'HAS_ACTOR', from: '54', to: 'actor:a37' },
  ],
};

/** user -> purchase, then two network hops stored from the smaller id (either direction). */
const network: ExplanationPath = {
  nodes: [
    { type: 'USER', id: '7', name: '7', kind: null },
    { type: 'ITEM', id: '30', name: 'Movie 30', kind: null },
    { type: 'ITEM', id: '12', name: 'Movie 12', kind: null },
    { type: 'ITEM', id: '40', name: 'Movie 40', kind: null },
  ],
  relationships: [
    { type: 'PURCHASED', from: '7', to: '30' },
    { type: 'GENRE', from: '12', to: '30' },
    { type: 'GENRE', from: '12', to: '40' },
  ],
};

describe('explanationGraph', () => {
  it('draws exactly the path: one node per path node, one edge per relationship, stored directions kept', () => {
    const graph = explanationGraph(shared, '54');
    expect(graph.nodes.map((n) => [n.key, n.role, n.order])).toEqual([
      ['USER:1', 'user', 0],
      ['ITEM:104', 'purchase', 1],
      ['ATTRIBUTE:actor:a37', 'attribute', 2],
      ['ITEM:54', 'recommended', 3],
    ]);
    expect(graph.edges.map((e) => [e.type, e.from, e.to])).toEqual([
      ['PURCHASED', 'USER:1', 'ITEM:104'],
      ['HAS_ACTOR', 'ITEM:104', 'ATTRIBUTE:actor:a37'],
      ['HAS_ACTOR', 'ITEM:54', 'ATTRIBUTE:actor:a37'],
    ]);
  });

  it('follows network edges stored against the path direction', () => {
    const graph = explanationGraph(network, '40');
    expect(graph.nodes.map((n) => n.role)).toEqual(['user', 'purchase', 'item', 'recommended']);
    expect(graph.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['USER:7->ITEM:30', 'ITEM:12->ITEM:30', 'ITEM:12->ITEM:40']);
  });

  it('keeps a user and an item with the same id apart', () => {
    const graph = explanationGraph(
      {
        nodes: [
          { type: 'USER', id: '5', name: '5', kind: null },
          { type: 'ITEM', id: '5', name: 'Movie 5', kind: null },
        ],
        relationships: [{ type: 'PURCHASED', from: '5', to: '5' }],
      },
      '9',
    );
    expect(graph.nodes.map((n) => n.key)).toEqual(['USER:5', 'ITEM:5']);
    expect(graph.edges[0]).toMatchObject({ from: 'USER:5', to: 'ITEM:5' });
  });

  it('refuses a path whose relationships do not join consecutive nodes', () => {
    const broken = { ...shared, relationships: [shared.relationships[0]!, shared.relationships[2]!, shared.relationships[1]!] };
    expect(() => explanationGraph(broken, '54')).toThrow(/does not join/);
    expect(() => explanationGraph({ ...shared, relationships: shared.relationships.slice(1) }, '54')).toThrow(/needs 3 relationships/);
  });

  it('says the drawing in words', () => {
    expect(describeGraph(explanationGraph(shared, '54'))).toBe('User 1 purchased Movie 104. Movie 104 has actor Actor 37. Movie 54 has actor Actor 37.');
    expect(describeGraph(explanationGraph(network, '40'))).toContain('Movie 12 and Movie 40 are bought together and share a genre');
    expect(relationshipWords('HAS_DIRECTOR')).toBe('has director');
    expect(relationshipWords('ACTOR')).toBe('actor network');
  });
});
