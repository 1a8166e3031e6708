import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { coerceVariables, estimateCost, type CostTable } from './query-cost';

const schema = buildSchema(`
  type Item { id: ID! title: String! }
  type Rec { item: Item! score: Float! }
  type Query { recommend(userId: ID!, k: Int! = 10): [Rec!]! item(id: ID!): Item }
`);

const table: CostTable = new Map([['Query.recommend', (args, child) => 100 + (args.k as number) * child]]);

function operation(query: string): OperationDefinitionNode {
  return parse(query).definitions[0] as OperationDefinitionNode;
}

describe('coerceVariables', () => {
  const op = operation('query R($k: Int!) { recommend(userId: "1", k: $k) { score } }');

  it('coerces good variables and reports wrong, null and missing ones as errors (no throw)', () => {
    expect(coerceVariables(schema, op, { k: 5 })).toEqual({ ok: true, values: { k: 5 } });
    for (const raw of [{ k: '5' }, { k: null }, {}, null, 'not an object']) {
      const result = coerceVariables(schema, op, raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]!.message).toMatch(/\$k/);
    }
  });
});

describe('estimateCost', () => {
  const cost = (query: string, variables: Record<string, unknown> = {}): number => estimateCost({ schema, document: parse(query), variables, table });

  it('charges a listed field by the table, k times its selection', () => {
    // item: 1 + id 1 + title 1 = 3; score 1 -> child 4; 100 + 5 * 4.
    expect(cost('{ recommend(userId: "1", k: 5) { score item { id title } } }')).toBe(120);
    expect(cost('query R($k: Int!) { recommend(userId: "1", k: $k) { score } }', { k: 7 })).toBe(107);
  });

  it('counts every alias and every spread of a fragment', () => {
    const one = cost('{ recommend(userId: "1", k: 1) { score } }');
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: recommend(userId: "1", k: 1) { ...F }`).join(' ');
    expect(cost(`{ ${aliases} } fragment F on Rec { score }`)).toBe(50 * one);
  });

  it('throws a GraphQLError for a document with more nodes than it will estimate', () => {
    const huge = `{ ${Array.from({ length: 200 }, (_, i) => `i${i}: item(id: "1") { id }`).join(' ')} }`;
    expect(() => estimateCost({ schema, document: parse(huge), variables: {}, table, maxNodes: 100 })).toThrow();
  });
});
