/**
 * BPR-MF (Rendle et al., 2009): matrix factorisation with item biases, trained by SGD on
 * (user, positive, sampled non-positive) triples to maximise ln sigma(x_ui - x_uj).
 * Plain typed-array loops: at d = 32 an epoch over 50k positives takes tens of milliseconds.
 */
import { createRng, type Rng } from '../../datasets/rng';
import type { FitOptions, Recommender } from '../protocols';
import { deriveSeed } from '../seeds';
import { requireInteger, requirePositive } from '../validate';
import type { TrainView } from '../train-view';
import { row } from '../train-view';
import { containsSorted } from '../../common/sorted-search';

export interface BprMfOptions {
  /** Training epochs; one epoch draws as many triples as there are positives. The tuned hyper-parameter. */
  readonly epochs: number;
  /** Embedding size d (default 32, as the paper fixes for every model). */
  readonly factors?: number;
  readonly learningRate?: number;
  readonly regularization?: number;
  /** Standard deviation of the initial factors. */
  readonly initScale?: number;
}

export const BPR_DEFAULTS = { factors: 32, learningRate: 0.05, regularization: 0.005, initScale: 0.1 };

export function createBprMf(opts: BprMfOptions): Recommender {
  const d = requireInteger('createBprMf', 'factors', opts.factors ?? BPR_DEFAULTS.factors, 1);
  const lr = requirePositive('createBprMf', 'learningRate', opts.learningRate ?? BPR_DEFAULTS.learningRate);
  const reg = opts.regularization ?? BPR_DEFAULTS.regularization;
  requireInteger('createBprMf', 'epochs', opts.epochs, 0);
  if (!(reg >= 0)) throw new RangeError(`createBprMf: regularization must be >= 0, got ${reg}`);
  let userF = new Float32Array(0);
  let itemF = new Float32Array(0);
  let bias = new Float32Array(0);
  let numItems = 0;
  return {
    name: 'bpr-mf',
    fit(train: TrainView, fitOpts: FitOptions) {
      const rng = createRng(deriveSeed(fitOpts.seed, 'bpr-mf'));
      numItems = train.numItems;
      const scale = opts.initScale ?? BPR_DEFAULTS.initScale;
      userF = gaussian(train.numUsers * d, scale, rng);
      itemF = gaussian(numItems * d, scale, rng);
      bias = new Float32Array(numItems);
      const { indptr, indices } = train.positives;
      const nnz = indices.length;
      if (nnz === 0) return;
      const entryUser = new Int32Array(nnz);
      for (let u = 0; u < train.numUsers; u++) entryUser.fill(u, indptr[u], indptr[u + 1]);
      const diff = new Float32Array(d);
      for (let epoch = 0; epoch < opts.epochs; epoch++) {
        let loss = 0;
        for (let s = 0; s < nnz; s++) {
          const e = Math.floor(rng.next() * nnz);
          const u = entryUser[e];
          const i = indices[e];
          const mine = row(train.positives, u);
          if (mine.length >= numItems) continue;
          let j = Math.floor(rng.next() * numItems);
          while (containsSorted(mine, j)) j = Math.floor(rng.next() * numItems);
          const pu = u * d;
          const qi = i * d;
          const qj = j * d;
          let x = bias[i] - bias[j];
          for (let f = 0; f < d; f++) {
            diff[f] = itemF[qi + f] - itemF[qj + f];
            x += userF[pu + f] * diff[f];
          }
          // g = sigma(-x) = d/dx ln sigma(x); ascend the log-likelihood.
          const g = 1 / (1 + Math.exp(x));
          loss += Math.log1p(Math.exp(-x));
          for (let f = 0; f < d; f++) {
            const p = userF[pu + f];
            userF[pu + f] += lr * (g * diff[f] - reg * p);
            itemF[qi + f] += lr * (g * p - reg * itemF[qi + f]);
            itemF[qj + f] += lr * (-g * p - reg * itemF[qj + f]);
          }
          bias[i] += lr * (g - reg * bias[i]);
          bias[j] += lr * (-g - reg * bias[j]);
        }
        fitOpts.onProgress?.({ stage: 'epoch', done: epoch + 1, total: opts.epochs, loss: loss / nnz });
      }
    },
    scoreUser(u: number, candidates?: Int32Array) {
      const score = (j: number): number => {
        let s = bias[j];
        for (let f = 0; f < d; f++) s += userF[u * d + f] * itemF[j * d + f];
        return s;
      };
      if (candidates) return Float32Array.from(candidates, score);
      return Float32Array.from({ length: numItems }, (_, j) => score(j));
    },
  };
}

function gaussian(length: number, scale: number, rng: Rng): Float32Array {
  const out = new Float32Array(length);
  for (let k = 0; k < length; k += 2) {
    // Box-Muller: two normals per pair of uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    out[k] = scale * r * Math.cos(t);
    if (k + 1 < length) out[k + 1] = scale * r * Math.sin(t);
  }
  return out;
}
