import { buildSchema, parse, validate } from 'graphql';
import { depthLimitRule } from './query-limits';

/** A cyclic schema: item -> similar -> item ..., the case the depth limit exists for. */
const schema = buildSchema(`
  type Item { id: ID! similar: [Item!]! }
  type Query { item(id: ID!): Item }
`);

function errors(query: string, maxDepth: number): string[] {
  return validate(schema, parse(query), [depthLimitRule(maxDepth)]).map((e) => e.message);
}

describe('depthLimitRule', () => {
  it('accepts a query at the limit and rejects one beyond it', () => {
    expect(errors('{ item(id: "1") { similar { similar { id } } } }', 4)).toEqual([]);
    expect(errors('{ item(id: "1") { similar { similar { similar { id } } } } }', 4)).toEqual(['query depth 5 exceeds the limit of 4']);
  });

  it('counts fragments and inline fragments, and ignores introspection fields', () => {
    const query = `
      query { item(id: "1") { ...F } }
      fragment F on Item { similar { ... on Item { similar { id __typename } } } }`;
    expect(errors(query, 3)).toEqual(['query depth 4 exceeds the limit of 3']);
    expect(errors(query, 4)).toEqual([]);
  });

  it('does not loop on a fragment that spreads itself', () => {
    const query = `query { item(id: "1") { ...F } } fragment F on Item { similar { ...F } }`;
    expect(() => validate(schema, parse(query), [depthLimitRule(10)])).not.toThrow();
  });
});
