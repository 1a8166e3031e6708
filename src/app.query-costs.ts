import type { Workload } from './catalog/catalog.service';
import type { CostTable, FieldCost } from './common/graphql/query-cost';
import { DEFAULT_CANDIDATE_OPTIONS } from './served-model/candidates/candidate-generator';

/**
 * The cost model of the API, in work units: one unit is meant as about 0.1 ms of one core (the
 * measured figures are in README, `npm run bench:safety`), so the per-request limit is a CPU
 * budget, and it holds whatever the catalogue's size because the heavy fields are priced from it:
 *  - recommend scores its candidates against the user's history: candidates x mean |R_u| (item,
 *    purchase) pairs, PAIRS_PER_UNIT of them a unit. The served path scores at most
 *    `servedCandidates` items (neighbours of the recent purchases per kind, plus the popular ones),
 *    whatever the catalogue's size: pricing every item made a 100k-item catalogue's recommend
 *    cost more than the per-request limit;
 *  - audience scores one item against every user's history: all purchases, at the slower
 *    per-pair rate of the audience rule (AUDIENCE_PAIR_WEIGHT);
 *  - similarItems ranks the item's neighbours (at most the same candidate count) under the user's attention;
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

/** At most the items the served candidate path scores for one request (see candidate-generator.ts). */
export function servedCandidates(w: Workload): number {
  const o = DEFAULT_CANDIDATE_OPTIONS;
  // Per recent purchase and kind (plus the kind-averaged space): code-space and network neighbours.
  const bound = o.recentPurchases * (Math.max(1, w.kinds) + 1) * (o.codeNeighbours + o.networkNeighbours) + o.popular;
  return Math.min(w.items, bound);
}
const kOf = (args: Readonly<Record<string, unknown>>): number =>
  // Priced at most at the schema's maximum k: a larger one fails validation and does no work.
  typeof args.k === 'number' && Number.isFinite(args.k) ? Math.max(1, Math.min(args.k, 100)) : 10;

export function apiCostTable(w: Workload): CostTable {
  const meanHistory = w.users === 0 ? 0 : w.purchases / w.users;
  const candidates = servedCandidates(w);
  const scoreCandidates = units((candidates * Math.max(1, meanHistory)) / PAIRS_PER_UNIT);
  const costs: Array<[string, FieldCost]> = [
    ['Query.recommend', (args, child) => 1 + scoreCandidates + kOf(args) * child],
    ['Query.explain', (_args, child) => EXPLAIN_UNITS + units(meanHistory / PAIRS_PER_UNIT) + child],
    ['Query.similarItems', (args, child) => 1 + units(candidates / SIMILAR_ITEMS_PER_UNIT) + kOf(args) * child],
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
