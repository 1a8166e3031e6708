import { ApolloServer } from '@apollo/server';
import { buildSchema, parse, validate } from 'graphql';
import { complexityLimitPlugin, depthLimitRule } from './query-limits';

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

describe('complexityLimitPlugin', () => {
  const server = new ApolloServer({
    typeDefs: 'type Item { id: ID! } type Query { top(userId: ID!, k: Int!): [Item!]! }',
    resolvers: { Query: { top: (_: unknown, args: { k: number }) => Array.from({ length: args.k }, (_x, i) => ({ id: String(i) })) } },
    plugins: [complexityLimitPlugin(50)],
  });
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  const run = async (variables: Record<string, unknown>) => {
    const response = await server.executeOperation({ query: 'query Top($userId: ID!, $k: Int!) { top(userId: $userId, k: $k) { id } }', variables });
    return response.body.kind === 'single' ? response.body.singleResult : null;
  };

  it('rejects an operation whose cost, counted with its variables, exceeds the limit', async () => {
    expect((await run({ userId: '1', k: 10 }))?.errors).toBeUndefined();
    expect((await run({ userId: '1', k: 100 }))?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX' });
  });

  it('leaves a missing variable to Apollo, which answers BAD_USER_INPUT (not an internal error)', async () => {
    const result = await run({ k: 3 });
    expect(result?.errors?.[0]?.message).toMatch(/\$userId/);
    expect(result?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
