import type { Workload } from './catalog/catalog.service';
import type { CostTable, FieldCost } from './common/graphql/query-cost';

/**
 * The cost model of the API, in work units. One unit is about the CPU time of scoring
 * PAIRS_PER_UNIT (item, purchase) pairs with the served model, the inner step of every scoring
 * rule (eq. 13 compares an item with each purchase of R_u; the mixture kernel likewise), so the
 * heavy fields cost what they compute:
 *  - recommend scores every item against the user's history: items x mean |R_u|;
 *  - audience scores one item against every user's history: all purchases;
 *  - similarItems ranks every item against one (items x kinds);
 *  - an explanation breaks one score down over the history and traces a path in Neo4j;
 * and a list field with `k` pays k times its selection. Writes cost a transaction each. The
 * measured milliseconds per unit are in README (npm run bench:safety).
 */
export const PAIRS_PER_UNIT = 1000;
/** An explanation: the score breakdown over R_u plus its share of the batched graph trace. */
export const EXPLANATION_UNITS = 5;

const units = (pairs: number): number => Math.ceil(pairs / PAIRS_PER_UNIT);
const kOf = (args: Readonly<Record<string, unknown>>, fallback = 10): number =>
  typeof args.k === 'number' && Number.isFinite(args.k) ? Math.max(1, Math.min(args.k, 100)) : fallback;

export function apiCostTable(w: Workload): CostTable {
  const meanHistory = w.users === 0 ? 0 : w.purchases / w.users;
  const costs: Array<[string, FieldCost]> = [
    ['Query.recommend', (args, child) => 1 + units(w.items * Math.max(1, meanHistory)) + kOf(args) * child],
    ['Query.explain', (_args, child) => EXPLANATION_UNITS + units(meanHistory) + child],
    ['Query.similarItems', (args, child) => 1 + units(w.items * (typeof args.userId === 'string' ? 2 : 1)) + kOf(args) * child],
    ['Query.audience', (args, child) => 1 + units(w.purchases + w.users) + kOf(args) * child],
    // A user's purchases: priced at twice the mean history (the list has no k).
    ['Query.user', (_args, child) => 2 + Math.ceil(2 * meanHistory) * Math.max(1, child)],
    ['Recommendation.explanation', (_args, child) => EXPLANATION_UNITS + child],
    ['Mutation.recordPurchase', (_args, child) => 10 + child],
    ['Mutation.hideItem', (_args, child) => 5 + child],
    // Links the item into every network and encodes it with the trained encoders.
    ['Mutation.addItem', (_args, child) => 20 + units(w.items) + child],
    ['Mutation.retrainModel', (_args, child) => 50 + child],
  ];
  return new Map(costs);
}
