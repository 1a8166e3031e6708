import type { Workload } from './catalog/catalog.service';
import type { CostTable, FieldCost } from './common/graphql/query-cost';

/**
 * The cost model of the API, in work units: one unit is meant as about 0.1 ms of one core (the
 * measured figures are in README, `npm run bench:safety`), so the per-request limit is a CPU
 * budget, and it holds whatever the catalogue's size because the heavy fields are priced from it:
 *  - recommend scores every item against the user's history: items x mean |R_u| (item, purchase)
 *    pairs, PAIRS_PER_UNIT of them a unit;
 *  - audience scores one item against every user's history: all purchases, at the slower
 *    per-pair rate of the audience rule (AUDIENCE_PAIR_WEIGHT);
 *  - similarItems ranks every item against one under the user's attention;
 *  - an explanation breaks a score down and traces a path in Neo4j: a graph round trip for a
 *    root `explain`, a share of the batched one for each recommendation's `explanation`;
 * every other field costs 1, a list field with `k` pays k times its selection, and a write a
 * transaction.
 */
export const PAIRS_PER_UNIT = 500;
export const AUDIENCE_PAIR_WEIGHT = 3;
/** Items ranked per unit by similarItems (one personalised code per item and kind). */
export const SIMILAR_ITEMS_PER_UNIT = 35;
/** A root `explain`: one graph round trip for an arbitrary pair, whose path search may go 3 hops into a network. */
export const EXPLAIN_UNITS = 300;
/** A recommendation's `explanation`: its share of the one batched graph query of the response. */
export const EXPLANATION_UNITS = 30;

const units = (work: number): number => Math.ceil(work);
const kOf = (args: Readonly<Record<string, unknown>>): number =>
  // Priced at most at the schema's maximum k: a larger one fails validation and does no work.
  typeof args.k === 'number' && Number.isFinite(args.k) ? Math.max(1, Math.min(args.k, 100)) : 10;

export function apiCostTable(w: Workload): CostTable {
  const meanHistory = w.users === 0 ? 0 : w.purchases / w.users;
  const scoreAllItems = units((w.items * Math.max(1, meanHistory)) / PAIRS_PER_UNIT);
  const costs: Array<[string, FieldCost]> = [
    ['Query.recommend', (args, child) => 1 + scoreAllItems + kOf(args) * child],
    ['Query.explain', (_args, child) => EXPLAIN_UNITS + units(meanHistory / PAIRS_PER_UNIT) + child],
    ['Query.similarItems', (args, child) => 1 + units(w.items / SIMILAR_ITEMS_PER_UNIT) + kOf(args) * child],
    ['Query.audience', (args, child) => 1 + units((AUDIENCE_PAIR_WEIGHT * (w.purchases + w.users)) / PAIRS_PER_UNIT) + kOf(args) * child],
    // A user's purchases: the list has no k; priced at twice the mean history.
    ['Query.user', (_args, child) => 2 + Math.ceil(2 * meanHistory) * Math.max(1, child)],
    ['Recommendation.explanation', (_args, child) => EXPLANATION_UNITS + child],
    ['Mutation.recordPurchase', (_args, child) => 50 + child],
    ['Mutation.hideItem', (_args, child) => 20 + child],
    // Links the item into every network (a write over its values' items) and encodes it.
    ['Mutation.addItem', (_args, child) => 100 + units(w.items / SIMILAR_ITEMS_PER_UNIT) + child],
    ['Mutation.retrainModel', (_args, child) => 100 + child],
  ];
  return new Map(costs);
}
