/**
 * EASE (Steck, 2019): B = I - P diag(1/diag(P)) with P = (X^T X + lambda I)^-1, diag(B) = 0;
 * a user's scores are x_u B. X is the binary matrix of training positives.
 *
 * An item nobody bought has a zero row and column in X^T X, so P is block diagonal with 1/lambda
 * for it and its row and column of B are zero: the solve runs over the bought items only (exact,
 * and smaller), and such items score 0. The solve is blocked-spd.ts (the tfjs matrix product);
 * B is m x m float32, so EASE refuses catalogues whose bought items exceed `maxItems`.
 */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';
import { row } from '../train-view';
import { requirePositive } from '../validate';
import { invertSpdInPlace } from './blocked-spd';
import { boughtItems, cooccurrence, type ItemSubset } from './cooccurrence';
import { invertSpd } from './linalg';
import { recencyWeights } from '../../model/recency';

/** Above this many bought items the m x m weights (1.6 GB at 20k) and the m^3 solve are refused. */
export const EASE_MAX_ITEMS = 20_000;

export interface EaseOptions {
  /** L2 regularisation lambda. The tuned hyper-parameter. */
  readonly lambda: number;
  /**
   * Recency half-life in purchases (0 or absent: plain EASE): x_u weighs purchase j by
   * 2^(-r/halfLife), r = purchases made after it, the rule eran-plus uses (model/recency.ts), so
   * that the comparison with eran-plus is like for like.
   */
  readonly recencyHalfLife?: number;
  /** Refuse (throw) above this many bought items (default EASE_MAX_ITEMS). */
  readonly maxItems?: number;
  /** Tile size of the blocked solve (default blocked-spd's). */
  readonly block?: number;
}

/** Why EASE cannot be fitted on this view, or undefined when it can. */
export function easeCapacity(view: TrainView, maxItems = EASE_MAX_ITEMS): string | undefined {
  const m = boughtItems(view).items.length;
  if (m <= maxItems) return undefined;
  const gb = (m * m * 4) / 1e9;
  return `EASE needs an N x N weight matrix and an N^3 solve over the ${m.toLocaleString('en')} bought items; its limit is ${maxItems.toLocaleString('en')} (${gb.toFixed(1)} GB of weights at this size)`;
}

/**
 * The EASE weights, in place: `gram` (m x m, row-major, X^T X) becomes B. Exposed for tests and
 * the benchmark.
 */
export function easeWeightsInPlace(gram: Float32Array, m: number, lambda: number, block?: number): Float32Array {
  if (!(lambda > 0)) throw new RangeError(`EASE lambda must be > 0, got ${lambda}`);
  for (let i = 0; i < m; i++) gram[i * m + i] += lambda;
  const p = invertSpdInPlace(gram, m, { block });
  const diag = new Float64Array(m);
  for (let j = 0; j < m; j++) diag[j] = p[j * m + j];
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    for (let j = 0; j < m; j++) p[ri + j] = i === j ? 0 : -p[ri + j] / diag[j];
  }
  return p;
}

/**
 * The former all-JS float64 path (Cholesky in linalg.ts over every item): the reference the
 * benchmark and the tests compare the blocked path against.
 */
export function easeWeightsReference(gram: Float64Array, n: number, lambda: number): Float64Array {
  if (!(lambda > 0)) throw new RangeError(`EASE lambda must be > 0, got ${lambda}`);
  const a = Float64Array.from(gram);
  for (let i = 0; i < n; i++) a[i * n + i] += lambda;
  const p = invertSpd(a, n);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 0 : -p[i * n + j] / p[j * n + j];
  }
  return b;
}

export function createEase(opts: EaseOptions): Recommender {
  requirePositive('createEase', 'lambda', opts.lambda);
  const half = opts.recencyHalfLife ?? 0;
  const maxItems = opts.maxItems ?? EASE_MAX_ITEMS;
  let view: TrainView | undefined;
  let weights = new Float32Array(0);
  let subset: ItemSubset = { position: new Int32Array(0), items: new Int32Array(0) };
  let m = 0;
  return {
    name: half > 0 ? 'ease-recency' : 'ease',
    fit(train: TrainView) {
      const refusal = easeCapacity(train, maxItems);
      if (refusal) throw new RangeError(refusal);
      subset = boughtItems(train);
      m = subset.items.length;
      weights = easeWeightsInPlace(cooccurrence(train, subset), m, opts.lambda, opts.block);
      view = train;
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view) throw new Error('ease: scoreUser before fit');
      const bought = row(view.positives, u);
      const times = half > 0 ? view.positiveTimes?.subarray(view.positives.indptr[u], view.positives.indptr[u + 1]) : undefined;
      const w = recencyWeights(times, bought.length, half);
      const { position } = subset;
      if (candidates) {
        return Float32Array.from(candidates, (j) => {
          const cj = position[j];
          if (cj < 0) return 0;
          let s = 0;
          bought.forEach((i, p) => {
            s += w[p]! * weights[position[i] * m + cj]!;
          });
          return s;
        });
      }
      const acc = new Float64Array(m);
      bought.forEach((i, p) => {
        const ri = position[i] * m;
        const wp = w[p]!;
        for (let j = 0; j < m; j++) acc[j] += wp * weights[ri + j]!;
      });
      const out = new Float32Array(view.numItems);
      subset.items.forEach((item, c) => {
        out[item] = acc[c];
      });
      return out;
    },
  };
}
