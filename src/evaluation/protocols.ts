/**
 * The evaluation protocols (paper section 5 and DESIGN 3). A model is fitted on a split's
 * TrainView and then only asked for scores; the protocol owns candidates, exclusions and ranks.
 */
import { catalogueCoverage, hitAtK, ndcgAtK, precisionAtK, rankOf, ranksOfRelevant, recallAtK, topK } from './metrics';
import type { ColdStartSplit, LooSplit } from './split';
import { row, type TrainView } from './train-view';

export interface FitProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
  readonly loss?: number;
}

export interface FitOptions {
  /** Seeds the model's own randomness (initialisation, sampling). */
  readonly seed: number;
  readonly onProgress?: (progress: FitProgress) => void;
}

export interface Recommender {
  readonly name: string;
  fit(train: TrainView, opts: FitOptions): void | Promise<void>;
  /**
   * Scores of user `userIndex` for every item (length numItems) or, given `candidates` (item
   * indexes), for those only, aligned with them. Higher is better. Items the user already has
   * may be scored anything: the protocols exclude them.
   */
  scoreUser(userIndex: number, candidates?: Int32Array): Float32Array;
  /**
   * Other scoring rules of the same fit to report beside it in the cold-start protocol (eRAN: the
   * eq. 14 aggregates min / max / mean / kernel other than its default), each named by a suffix.
   */
  coldVariants?(): ReadonlyArray<{ readonly suffix: string; readonly model: Recommender }>;
}

export type ProtocolName = 'loo-sampled' | 'loo-full' | 'cold-start';

export const PROTOCOLS: readonly ProtocolName[] = ['loo-sampled', 'loo-full', 'cold-start'];

export const SAMPLED_KS: readonly number[] = [5, 10, 15];
export const FULL_KS: readonly number[] = [5, 10, 15, 20];
export const COLD_START_KS: readonly number[] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

export interface ProtocolResult {
  readonly protocol: ProtocolName;
  /** Metric name (`ndcg@10`, `p@10`, `hr@10`, `recall@20`, `coverage@10`) -> mean over evaluated units. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Users (leave-one-out) or held-out items (cold start) evaluated. */
  readonly evaluated: number;
  /** What each ranking ran over, in words, e.g. "101 items: the target + 100 sampled negatives". */
  readonly candidates: string;
  /** Leave-one-out: the target's rank per user index (0 = user not tested). */
  readonly ranks?: Int32Array;
  readonly seconds: number;
}

export interface EvalProgress {
  readonly protocol: ProtocolName;
  readonly done: number;
  readonly total: number;
}

/** Receives every ranking's candidates and scores, e.g. to write a ranks file. */
export type ScoreSink = (userIndex: number, candidates: Int32Array, scores: Float32Array) => void;

export interface EvalOptions {
  readonly ks?: readonly number[];
  readonly onProgress?: (progress: EvalProgress) => void;
  readonly onScores?: ScoreSink;
}

/**
 * What full ranking leaves out of a user's candidates: every training interaction (default: an
 * item the user already rated, even low, is known to them and is no recommendation), or only the
 * training positives (low-rated items stay candidates, as in pipelines that delete ratings <= 3
 * before splitting; this gives lower numbers, since those popular items crowd the top).
 */
export type FullRankingExclusion = 'interactions' | 'positives';

export interface FullEvalOptions extends EvalOptions {
  /** Length of the top lists whose union gives catalogue coverage (default 10). */
  readonly coverageK?: number;
  readonly exclude?: FullRankingExclusion;
  /** Receives each user's top `topListLength` items and the held-out item (a ranks file's rows). */
  readonly onTopList?: (userIndex: number, rows: TopListRows) => void;
  /** Default 100. */
  readonly topListLength?: number;
}

/**
 * What a full-ranking ranks file keeps per user: the top of the ranking (the coverage list is its
 * first coverageK rows) and the held-out item, enough to recompute every full-ranking metric.
 */
export interface TopListRows {
  /** Item indexes in ranking order (score, then item index); the held-out item is appended when below the list. */
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /**
   * Each row's rank under the protocol's rule: 1 + the number of other candidates scoring at least
   * as high (NaN as -Infinity). Equals the row's position unless scores tie; for the held-out item
   * it is the rank every metric uses.
   */
  readonly ranks: Int32Array;
  /** Position of the held-out item's row. */
  readonly targetRow: number;
}

/**
 * Target vs its sampled negatives (101 candidates with the default 100): the paper's protocol.
 * P@K, nDCG@K, HR@K for K = 5, 10, 15.
 */
export function evaluateLooSampled(model: Recommender, split: LooSplit, opts: EvalOptions = {}): ProtocolResult {
  const started = performance.now();
  const ks = opts.ks ?? SAMPLED_KS;
  const users = testUsers(split);
  const ranks = new Int32Array(split.userIds.length);
  const sizes = new Set<number>();
  users.forEach((u, n) => {
    const negatives = row(split.negatives, u);
    const candidates = new Int32Array(negatives.length + 1);
    candidates[0] = split.testItems[u];
    candidates.set(negatives, 1);
    sizes.add(candidates.length);
    const scores = checkScores(model, model.scoreUser(u, candidates), candidates.length, u);
    ranks[u] = rankOf(scores, 0);
    opts.onScores?.(u, candidates, scores);
    report(opts, 'loo-sampled', n + 1, users.length);
  });
  const size = [...sizes].sort((a, b) => a - b);
  const sizeText = size.length === 1 ? `${size[0]}` : `${size[0]}-${size[size.length - 1]}`;
  return {
    protocol: 'loo-sampled',
    metrics: singleTargetMetrics(users, ranks, ks, ['hr', 'p', 'ndcg']),
    evaluated: users.length,
    candidates: `${sizeText} items per user: the held-out target + ${split.numNegatives} sampled items the user never interacted with`,
    ranks,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Target vs every item the user has no training interaction with (any rating; see
 * FullRankingExclusion). HR, nDCG and
 * Recall @ 5, 10, 15, 20 (with one held-out item Recall@K equals HR@K), plus the share of the
 * catalogue reached by the users' top-10 lists.
 */
export function evaluateLooFull(model: Recommender, split: LooSplit, opts: FullEvalOptions = {}): ProtocolResult {
  const started = performance.now();
  const ks = opts.ks ?? FULL_KS;
  const coverageK = opts.coverageK ?? 10;
  const exclude = opts.exclude ?? 'interactions';
  const excludedRows = exclude === 'interactions' ? split.view.interactions : split.view.positives;
  const users = testUsers(split);
  const ranks = new Int32Array(split.userIds.length);
  const excluded = new Int32Array(split.itemIds.length).fill(-1);
  const lists: Int32Array[] = [];
  const listLength = opts.onTopList ? Math.max(coverageK, opts.topListLength ?? 100) : coverageK;
  let candidateTotal = 0;
  users.forEach((u, n) => {
    const seen = row(excludedRows, u);
    for (const i of seen) excluded[i] = u;
    const scores = checkScores(model, model.scoreUser(u), split.itemIds.length, u);
    const target = split.testItems[u];
    const t = clean(scores[target]);
    let rank = 1;
    for (let i = 0; i < scores.length; i++) if (i !== target && excluded[i] !== u && clean(scores[i]) >= t) rank++;
    ranks[u] = rank;
    // topK's order is total (score, then index), so the first coverageK of a longer list are the same list.
    const top = topK(scores, listLength, (i) => excluded[i] === u);
    lists.push(top.length > coverageK ? top.subarray(0, coverageK) : top);
    opts.onTopList?.(
      u,
      topListRows(top, scores, target, rank, (i) => excluded[i] !== u),
    );
    candidateTotal += scores.length - seen.length;
    if (opts.onScores) {
      const candidates = Int32Array.from({ length: scores.length }, (_, i) => i).filter((i) => excluded[i] !== u);
      opts.onScores(
        u,
        candidates,
        Float32Array.from(candidates, (i) => scores[i]),
      );
    }
    report(opts, 'loo-full', n + 1, users.length);
  });
  return {
    protocol: 'loo-full',
    metrics: {
      ...singleTargetMetrics(users, ranks, ks, ['hr', 'ndcg', 'recall']),
      [`coverage@${coverageK}`]: catalogueCoverage(lists, split.itemIds.length),
    },
    evaluated: users.length,
    candidates: `all ${split.itemIds.length} items minus the user's training ${exclude} (mean ${(candidateTotal / Math.max(1, users.length)).toFixed(0)} per user)`,
    ranks,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Held-out items (no interactions in train): each is scored for every user, users are ranked,
 * and Recall@K is the share of its real buyers in the top K, averaged over items.
 */
export function evaluateColdStart(model: Recommender, split: ColdStartSplit, opts: EvalOptions = {}): ProtocolResult {
  const started = performance.now();
  const ks = opts.ks ?? COLD_START_KS;
  const numUsers = split.userIds.length;
  const numCold = split.coldItems.length;
  const byItem = Array.from({ length: numCold }, () => new Float32Array(numUsers));
  for (let u = 0; u < numUsers; u++) {
    const scores = checkScores(model, model.scoreUser(u, split.coldItems), numCold, u);
    for (let c = 0; c < numCold; c++) byItem[c][u] = scores[c];
    opts.onScores?.(u, split.coldItems, scores);
    report(opts, 'cold-start', u + 1, numUsers);
  }
  const sums = new Float64Array(ks.length);
  let evaluated = 0;
  split.coldItems.forEach((_, c) => {
    if (split.buyers[c].length === 0) return;
    const ranks = ranksOfRelevant(byItem[c], split.buyers[c]);
    ks.forEach((k, j) => (sums[j] += recallAtK(ranks, k)));
    evaluated++;
  });
  const metrics: Record<string, number> = {};
  ks.forEach((k, j) => (metrics[`recall@${k}`] = evaluated ? sums[j] / evaluated : 0));
  return {
    protocol: 'cold-start',
    metrics,
    evaluated,
    candidates: `all ${numUsers} users ranked for each of ${numCold} held-out items`,
    seconds: (performance.now() - started) / 1000,
  };
}

function topListRows(top: Int32Array, scores: Float32Array, target: number, targetRank: number, isCandidate: (i: number) => boolean): TopListRows {
  let targetRow = top.indexOf(target);
  const items = targetRow >= 0 ? top : Int32Array.from([...top, target]);
  if (targetRow < 0) targetRow = top.length;
  const rowScores = Float32Array.from(items, (i) => scores[i]);
  const ranks = new Int32Array(items.length);
  // Within the list, the candidates scoring at least as high as row r are listed before it or tie
  // with it; only a tie with the last listed score can reach below the list, so that one count
  // walks every candidate.
  const last = top.length > 0 ? clean(scores[top[top.length - 1]]) : -Infinity;
  let atLeastLast = -1;
  for (let r = 0; r < top.length; r++) {
    const s = clean(scores[top[r]]);
    if (s === last) {
      if (atLeastLast < 0) {
        atLeastLast = 0;
        for (let i = 0; i < scores.length; i++) if (isCandidate(i) && clean(scores[i]) >= s) atLeastLast++;
      }
      ranks[r] = atLeastLast;
    } else {
      let count = 0;
      for (let q = 0; q < top.length && clean(scores[top[q]]) >= s; q++) count++;
      ranks[r] = count;
    }
  }
  ranks[targetRow] = targetRank;
  return { items, scores: rowScores, ranks, targetRow };
}

export function testUsers(split: LooSplit): number[] {
  const out: number[] = [];
  for (let u = 0; u < split.testItems.length; u++) if (split.testItems[u] >= 0) out.push(u);
  return out;
}

function singleTargetMetrics(
  users: readonly number[],
  ranks: Int32Array,
  ks: readonly number[],
  kinds: readonly ('hr' | 'p' | 'ndcg' | 'recall')[],
): Record<string, number> {
  const out: Record<string, number> = {};
  const n = Math.max(1, users.length);
  for (const kind of kinds) {
    for (const k of ks) {
      let sum = 0;
      for (const u of users) {
        const r = ranks[u];
        sum += kind === 'ndcg' ? ndcgAtK(r, k) : kind === 'p' ? precisionAtK(r, k) : hitAtK(r, k);
      }
      out[`${kind}@${k}`] = sum / n;
    }
  }
  return out;
}

function checkScores(model: Recommender, scores: Float32Array, expected: number, user: number): Float32Array {
  if (scores.length !== expected) {
    throw new Error(`${model.name}.scoreUser(${user}) returned ${scores.length} scores, expected ${expected}`);
  }
  return scores;
}

function report(opts: EvalOptions, protocol: ProtocolName, done: number, total: number): void {
  // Every 64 users is often enough for a progress bar and cheap for the callback.
  if (opts.onProgress && (done === total || done % 64 === 0)) opts.onProgress({ protocol, done, total });
}

function clean(x: number): number {
  return Number.isNaN(x) ? -Infinity : x;
}
