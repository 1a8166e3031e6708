import { apiCostTable } from './app.query-costs';

describe('apiCostTable', () => {
  const small = apiCostTable({ items: 220, users: 150, purchases: 3400 });
  const large = apiCostTable({ items: 3700, users: 5000, purchases: 360_000 });
  const cost = (table: ReturnType<typeof apiCostTable>, field: string, args: Record<string, unknown>, child = 1): number => table.get(field)!(args, child);

  it('prices the scoring fields from the catalogue: a larger one costs more for the same query', () => {
    for (const field of ['Query.recommend', 'Query.audience', 'Query.similarItems']) {
      expect(cost(large, field, { k: 10 })).toBeGreaterThan(cost(small, field, { k: 10 }));
    }
    expect(cost(large, 'Query.audience', { k: 1 })).toBeGreaterThan(1000);
  });

  it('multiplies the selection by k, and never by more than the schema allows', () => {
    expect(cost(small, 'Query.recommend', { k: 50 }, 10) - cost(small, 'Query.recommend', { k: 10 }, 10)).toBe(400);
    expect(cost(small, 'Query.recommend', { k: 1_000_000 }, 10)).toBe(cost(small, 'Query.recommend', { k: 100 }, 10));
  });

  it('charges a root explain a graph round trip, more than a batched explanation', () => {
    expect(cost(small, 'Query.explain', {})).toBeGreaterThan(cost(small, 'Recommendation.explanation', {}));
  });
});
