/**
 * EASE (Steck, 2019): B = I - P diag(1/diag(P)) with P = (X^T X + lambda I)^-1, diag(B) = 0;
 * a user's scores are x_u B. X is the binary matrix of training positives.
 */
import type { Recommender } from '../protocols';
import type { TrainView } from '../train-view';
import { row } from '../train-view';
import { requirePositive } from '../validate';
import { cooccurrence } from './cooccurrence';
import { invertSpd } from './linalg';
import { recencyWeights } from '../../model/recency';

export interface EaseOptions {
  /** L2 regularisation lambda. The tuned hyper-parameter. */
  readonly lambda: number;
  /**
   * Recency half-life in purchases (0 or absent: plain EASE): x_u weighs purchase j by
   * 2^(-r/halfLife), r = purchases made after it, the rule eran-plus uses (model/recency.ts), so
   * that the comparison with eran-plus is like for like.
   */
  readonly recencyHalfLife?: number;
}

/** The EASE weight matrix (row-major n x n) for a Gram matrix X^T X. Exposed for tests. */
export function easeWeights(gram: Float64Array, n: number, lambda: number): Float64Array {
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
  let view: TrainView | undefined;
  let weights = new Float32Array(0);
  let n = 0;
  return {
    name: half > 0 ? 'ease-recency' : 'ease',
    fit(train: TrainView) {
      n = train.numItems;
      weights = Float32Array.from(easeWeights(cooccurrence(train), n, opts.lambda));
      view = train;
    },
    scoreUser(u: number, candidates?: Int32Array) {
      if (!view) throw new Error('ease: scoreUser before fit');
      const bought = row(view.positives, u);
      const times = half > 0 ? view.positiveTimes?.subarray(view.positives.indptr[u], view.positives.indptr[u + 1]) : undefined;
      const w = recencyWeights(times, bought.length, half);
      if (candidates) {
        return Float32Array.from(candidates, (j) => {
          let s = 0;
          bought.forEach((i, p) => {
            s += w[p]! * weights[i * n + j]!;
          });
          return s;
        });
      }
      const acc = new Float64Array(n);
      bought.forEach((i, p) => {
        const ri = i * n;
        const wp = w[p]!;
        for (let j = 0; j < n; j++) acc[j] += wp * weights[ri + j]!;
      });
      return Float32Array.from(acc);
    },
  };
}
