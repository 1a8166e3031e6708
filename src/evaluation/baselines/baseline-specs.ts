/**
 * The baselines as tunable model specs, each with one key hyper-parameter and at most
 * TUNE_BUDGET values, so that no baseline is favoured by a bigger search.
 */
import type { ModelSpec } from '../tune';
import { createAttributeKnn } from './attribute-knn';
import { BPR_DEFAULTS, createBprMf } from './bpr-mf';
import { createEase, easeCapacity } from './ease';
import { DEFAULT_RECENCY_HALF_LIFE } from '../../model/recency';
import { createItemKnn } from './item-knn';
import { createMostActiveUsers, createMostPopular } from './most-popular';
import { createRandomScores } from './random-scores';

export const RANDOM_SPEC: ModelSpec = {
  name: 'random',
  create: () => createRandomScores(),
  protocols: ['loo-sampled', 'loo-full', 'cold-start'],
};

export const MOST_POPULAR_SPEC: ModelSpec = {
  name: 'most-popular',
  create: () => createMostPopular(),
};

/** Cold start only: ranks users by how much they buy, the floor an attribute model must beat. */
export const MOST_ACTIVE_SPEC: ModelSpec = {
  name: 'most-active-users',
  create: () => createMostActiveUsers(),
  protocols: ['cold-start'],
};

export const ITEM_KNN_SPEC: ModelSpec = {
  name: 'item-knn',
  create: (p) => createItemKnn({ neighbours: p.neighbours }),
  grid: { param: 'neighbours', values: [10, 25, 50, 100, 200, 400], untuned: 50 },
};

export const BPR_MF_SPEC: ModelSpec = {
  name: 'bpr-mf',
  create: (p) => createBprMf({ epochs: p.epochs, factors: p.factors, learningRate: p.learningRate, regularization: p.regularization }),
  defaults: {
    factors: BPR_DEFAULTS.factors,
    learningRate: BPR_DEFAULTS.learningRate,
    regularization: BPR_DEFAULTS.regularization,
  },
  // Epochs, because at a fixed learning rate they decide between under- and over-fitting.
  grid: { param: 'epochs', values: [25, 50, 100, 200, 400, 800], untuned: 100 },
};

export const EASE_SPEC: ModelSpec = {
  name: 'ease',
  create: (p) => createEase({ lambda: p.lambda }),
  // Log-spaced by ~3x: EASE's optimum is broad, and the sweet spot moves with data density.
  grid: { param: 'lambda', values: [10, 30, 100, 300, 1000, 3000], untuned: 300 },
  capacity: (view) => easeCapacity(view),
};

/**
 * EASE scoring the purchases with the recency weights eran-plus uses (same half-life), so that the
 * part of eran-plus' gain that comes from recency alone is visible: not a standard baseline.
 */
export const EASE_RECENCY_SPEC: ModelSpec = {
  name: 'ease-recency',
  create: (p) => createEase({ lambda: p.lambda, recencyHalfLife: DEFAULT_RECENCY_HALF_LIFE }),
  grid: EASE_SPEC.grid,
  capacity: EASE_SPEC.capacity,
};

export const ATTRIBUTE_KNN_SPEC: ModelSpec = {
  name: 'attribute-knn',
  create: (p) => createAttributeKnn({ neighbours: p.neighbours }),
  grid: { param: 'neighbours', values: [10, 25, 50, 100, 200, 400], untuned: 100 },
  tuneOn: 'cold-start',
  protocols: ['loo-sampled', 'loo-full', 'cold-start'],
  needsAttributes: true,
};

export function baselineSpecs(): ModelSpec[] {
  return [RANDOM_SPEC, MOST_POPULAR_SPEC, MOST_ACTIVE_SPEC, ITEM_KNN_SPEC, BPR_MF_SPEC, EASE_SPEC, EASE_RECENCY_SPEC, ATTRIBUTE_KNN_SPEC];
}
