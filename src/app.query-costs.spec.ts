import { apiCostTable } from './app.query-costs';

describe('apiCostTable', () => {
  const small = apiCostTable({ items: 220, users: 150, purchases: 3400, kinds: 3 });
  const large = apiCostTable({ items: 3700, users: 5000, purchases: 360_000, kinds: 3 });
  // The 100k-item synthetic world of bench:scale (users with ~87 positives).
  const catalogue = apiCostTable({ items: 100_000, users: 50_000, purchases: 4_348_050, kinds: 3 });
  const cost = (table: ReturnType<typeof apiCostTable>, field: string, args: Record<string, unknown>, child = 1): number => table.get(field)!(args, child);

  it('prices the scoring fields from the catalogue: a larger one costs more for the same query', () => {
    for (const field of ['Query.recommend', 'Query.audience', 'Query.similarItems']) {
      expect(cost(large, field, { k: 10 })).toBeGreaterThan(cost(small, field, { k: 10 }));
    }
    expect(cost(large, 'Query.audience', { k: 1 })).toBeGreaterThan(1000);
  });

  it('prices recommend and similarItems by the candidates the served path scores, not by every item', () => {
    // recommend k = 10 with explanations (the benchmark's query) stays under the default limit of 5,000.
    const explained = cost(catalogue, 'Query.recommend', { k: 10 }, cost(catalogue, 'Recommendation.explanation', {}, 1) + 3);
    expect(explained).toBeLessThan(5000);
    expect(cost(catalogue, 'Query.recommend', { k: 10 })).toBe(
      cost(apiCostTable({ items: 1_000_000, users: 50_000, purchases: 4_348_050, kinds: 3 }), 'Query.recommend', { k: 10 }),
    );
    expect(cost(catalogue, 'Query.similarItems', { k: 10 })).toBeLessThan(200);
  });

  it('multiplies the selection by k, and never by more than the schema allows', () => {
    expect(cost(small, 'Query.recommend', { k: 50 }, 10) - cost(small, 'Query.recommend', { k: 10 }, 10)).toBe(400);
    expect(cost(small, 'Query.recommend', { k: 1_000_000 }, 10)).toBe(cost(small, 'Query.recommend', { k: 100 }, 10));
  });

  it('charges a root explain a graph round trip, more than a batched explanation', () => {
    expect(cost(small, 'Query.explain', {})).toBeGreaterThan(cost(small, 'Recommendation.explanation', {}));
  });
});
