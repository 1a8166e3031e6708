/**
 * Every hyper-parameter of eRAN in one options object, with the paper's values (section 4.3) as
 * defaults and validation messages that say what was expected and what came.
 */
import { DEFAULT_RECENCY_HALF_LIFE } from './recency';

/** `eran`: full model (eq. 12). `eran-l1`: ranking loss only. `eran-l2`: reconstruction only, z_u fixed to 1. */
export type EranVariant = 'eran' | 'eran-l1' | 'eran-l2';

/**
 * `exact`: the decoder output over all N columns (eq. 3 as printed).
 * `sampled`: all non-zeros plus a uniform sample of columns for the zero entries, reweighted by
 * N / m so that its expectation equals the exact loss. Per kind and batch, rows whose adjacency is
 * denser than `sampledMaxDensity` are reconstructed exactly instead: for dense networks (genre) a
 * dense product is cheaper than gathering every non-zero, and exact is a zero-variance estimator.
 */
export type ReconstructionMode = 'exact' | 'sampled';

export type Activation = 'sigmoid' | 'tanh' | 'relu';

/**
 * How a candidate x is scored against the user's purchases R_u (serving, explanation and, with
 * rankLoss 'user', training):
 * `paper`: eq. 13, sum_{j in R_u} -||h_ux - h_uj||^2 (equivalent to the distance from R_u's centroid);
 * `kernel` (improvement): tau * log sum_{j in R_u} exp(-||h_ux - h_uj||^2 / tau), a soft
 * nearest-purchase rule whose largest term is the explanation's anchor j*;
 * `mixture` (improvement, see mixture.ts): tau * log sum_k a~^k_{u,x} sum_{j in R_u} w_uj exp(-||h^k_x - h^k_j||^2 / tau),
 * the attention mixing one kernel per attribute network; trained by its own dense trainer
 * (mixture-trainer.ts: multinomial likelihood over every item, early stopping on a held-out latest purchase).
 */
export type ScoringMode = 'paper' | 'kernel' | 'mixture';

/**
 * `pairwise`: the paper's triplet loss over (u, i, j, n) (eq. 9-11, BPR form).
 * `user` (improvement): BPR on the serving score, -log sigma(s(u, i) - s(u, n)) with i in R_u,
 * n outside, both scored against R_u \ {i} under the configured `scoring`.
 */
export type RankLossMode = 'pairwise' | 'user';

export interface EranHyperParams {
  readonly variant: EranVariant;
  /** Encoder widths after the N-wide input; the last one is the code size d. Paper: [1024, 256, 32]. */
  readonly hidden: readonly number[];
  /** Hidden activation (eq. 1 uses sigmoid). The decoder output is always a sigmoid (0/1 target). */
  readonly activation: Activation;
  /** Weight of the ranking loss in eq. 12. Paper: 1500. */
  readonly alpha: number;
  /** Reconstruction weight of zero entries, b_ij = beta when s_ij = 0 (eq. 3). Paper: 0.2. */
  readonly beta: number;
  /** Adam learning rate. Paper: 0.001. */
  readonly learningRate: number;
  /** Triplets (u, i, j, n) per mini-batch. Paper: 2000. */
  readonly batchSize: number;
  readonly reconstruction: ReconstructionMode;
  /** Sampled mode: number of columns sampled per batch and kind for the zero entries. */
  readonly sampledColumns: number;
  /** Sampled mode: above this non-zero density of the batch rows, that kind is reconstructed exactly. */
  readonly sampledMaxDensity: number;
  /**
   * Sampled mode: at most this many non-zeros are gathered per kind and batch (each costs a row of
   * width h1 in memory); beyond it a uniform sample, reweighted by nnz / cap, stands for them all.
   */
  readonly sampledMaxNonzeros: number;
  /**
   * Improvement, off in the reference: a learned per-item bias b_c added to the pair score,
   * sim_u(i, c) + b_c, so eq. 13 gains the popularity term it lacks. Reported beside the reference.
   */
  readonly itemBias: boolean;
  /** Improvement, off in the reference: see ScoringMode. */
  readonly scoring: ScoringMode;
  /** Kernel temperature (scoring 'kernel'); larger is closer to the centroid rule, smaller to the nearest purchase. */
  readonly tau: number;
  /**
   * Improvement, off (0) in the reference: purchases weigh 2^(-r / halfLife), r = purchases made
   * after it (recency.ts). Used by scoring 'mixture' in training and serving.
   */
  readonly recencyHalfLife: number;
  /** Improvement, off in the reference: see RankLossMode. */
  readonly rankLoss: RankLossMode;
  /** rankLoss 'user': at most this many (i, n) pairs per user and visit; an epoch visits every user once. */
  readonly userPairs: number;
  /**
   * rankLoss 'user': at most this many of the user's purchases form the kernel keys (and the pool of
   * positives) of one visit, a uniform subset; 0 = all of R_u. Bounds the O(pairs |R_u|) cost of
   * heavy users; s(u, i) and s(u, n) are compared against the same subset.
   */
  readonly userKeys: number;
  /**
   * Improvement, off in the reference: a free learned item vector e_i (d) added to the personalized
   * representation, h_ui = sum_k a~_uik h^k_i + e_i. New (cold) items have e = 0, so they are still
   * represented from their attribute links alone.
   */
  readonly itemEmbedding: boolean;
  /** Std of the initial item vectors e_i (itemEmbedding). */
  readonly itemInitStd: number;
  /** Std of the initial user embeddings; small so that attention starts uniform. */
  readonly userInitStd: number;
  /** Seed for the weight initialisation (and the default sampler seed). */
  readonly seed: number;
}

export interface EranShape {
  readonly numItems: number;
  readonly numUsers: number;
  /** Attribute kinds, one autoencoder each, in the order of GraphData.networks. */
  readonly kinds: readonly string[];
}

export type EranConfig = EranShape & EranHyperParams;

export type BuildEranOptions = EranShape & Partial<EranHyperParams>;

export const PAPER_DEFAULTS: EranHyperParams = {
  variant: 'eran',
  hidden: [1024, 256, 32],
  activation: 'sigmoid',
  alpha: 1500,
  beta: 0.2,
  learningRate: 0.001,
  batchSize: 2000,
  reconstruction: 'exact',
  sampledColumns: 256,
  sampledMaxDensity: 0.02,
  sampledMaxNonzeros: 65536,
  itemBias: false,
  scoring: 'paper',
  tau: 2,
  recencyHalfLife: 0,
  rankLoss: 'pairwise',
  userPairs: 16,
  userKeys: 0,
  itemEmbedding: false,
  itemInitStd: 0.01,
  userInitStd: 0.01,
  seed: 42,
};

/**
 * What a scoring mode brings with it. 'mixture' is eran-plus: it always has the item bias and the
 * free item vectors, tau 1 and recency weights with the default half-life (measured on
 * ml100k-cast, src/model/README.md); 'paper' and 'kernel' change nothing else.
 */
export function scoringPreset(scoring: ScoringMode): Partial<EranHyperParams> {
  if (scoring !== 'mixture') return { scoring };
  return { scoring, itemBias: true, itemEmbedding: true, itemInitStd: 0.1, tau: 1, recencyHalfLife: DEFAULT_RECENCY_HALF_LIFE };
}

/** Fills defaults and validates; throws one Error listing every problem. */
export function resolveEranConfig(options: BuildEranOptions): EranConfig {
  const config = { ...PAPER_DEFAULTS, ...stripUndefined(options) } as EranConfig;
  const problems: string[] = [];
  const positiveInt = (name: string, value: number): void => {
    if (!Number.isInteger(value) || value <= 0) problems.push(`${name}: expected a positive integer, got ${value}`);
  };
  const finiteNonNegative = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value < 0) problems.push(`${name}: expected a finite number >= 0, got ${value}`);
  };
  positiveInt('numItems', config.numItems);
  positiveInt('numUsers', config.numUsers);
  if (!Array.isArray(config.kinds) || config.kinds.length === 0) {
    problems.push(`kinds: expected at least one attribute kind, got ${JSON.stringify(config.kinds)}`);
  } else if (new Set(config.kinds).size !== config.kinds.length) {
    problems.push(`kinds: expected distinct names, got ${JSON.stringify(config.kinds)}`);
  }
  if (!['eran', 'eran-l1', 'eran-l2'].includes(config.variant)) {
    problems.push(`variant: expected eran | eran-l1 | eran-l2, got ${String(config.variant)}`);
  }
  if (!Array.isArray(config.hidden) || config.hidden.length === 0) {
    problems.push(`hidden: expected a non-empty list of layer widths (last = code size d), got ${JSON.stringify(config.hidden)}`);
  } else {
    config.hidden.forEach((w, i) => positiveInt(`hidden[${i}]`, w));
  }
  if (!['sigmoid', 'tanh', 'relu'].includes(config.activation)) {
    problems.push(`activation: expected sigmoid | tanh | relu, got ${String(config.activation)}`);
  }
  finiteNonNegative('alpha', config.alpha);
  if (!(config.beta > 0 && config.beta <= 1)) problems.push(`beta: expected a number in (0, 1], got ${config.beta}`);
  if (!(config.learningRate > 0 && Number.isFinite(config.learningRate))) {
    problems.push(`learningRate: expected a positive number, got ${config.learningRate}`);
  }
  positiveInt('batchSize', config.batchSize);
  if (!['exact', 'sampled'].includes(config.reconstruction)) {
    problems.push(`reconstruction: expected exact | sampled, got ${String(config.reconstruction)}`);
  }
  positiveInt('sampledColumns', config.sampledColumns);
  if (!(config.sampledMaxDensity >= 0 && config.sampledMaxDensity <= 1)) {
    problems.push(`sampledMaxDensity: expected a number in [0, 1], got ${config.sampledMaxDensity}`);
  }
  positiveInt('sampledMaxNonzeros', config.sampledMaxNonzeros);
  if (typeof config.itemBias !== 'boolean') problems.push(`itemBias: expected a boolean, got ${String(config.itemBias)}`);
  if (!['paper', 'kernel', 'mixture'].includes(config.scoring)) problems.push(`scoring: expected paper | kernel | mixture, got ${String(config.scoring)}`);
  finiteNonNegative('recencyHalfLife', config.recencyHalfLife);
  if (!(config.tau > 0 && Number.isFinite(config.tau))) problems.push(`tau: expected a positive number, got ${config.tau}`);
  if (!['pairwise', 'user'].includes(config.rankLoss)) problems.push(`rankLoss: expected pairwise | user, got ${String(config.rankLoss)}`);
  positiveInt('userPairs', config.userPairs);
  if (!Number.isInteger(config.userKeys) || config.userKeys < 0 || config.userKeys === 1) {
    problems.push(`userKeys: expected 0 (all purchases) or an integer >= 2, got ${config.userKeys}`);
  }
  if (typeof config.itemEmbedding !== 'boolean') problems.push(`itemEmbedding: expected a boolean, got ${String(config.itemEmbedding)}`);
  finiteNonNegative('itemInitStd', config.itemInitStd);
  finiteNonNegative('userInitStd', config.userInitStd);
  if (!Number.isInteger(config.seed)) problems.push(`seed: expected an integer, got ${config.seed}`);
  if (problems.length > 0) {
    throw new Error(`invalid eRAN options: ${problems.join('; ')}`);
  }
  return { ...config, hidden: [...config.hidden], kinds: [...config.kinds] };
}

/** The code size d (last encoder width). */
export function codeSize(config: EranConfig): number {
  return config.hidden[config.hidden.length - 1];
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
