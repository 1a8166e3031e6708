/**
 * eRAN and its ablations as harness models. eRAN is not tuned by the harness (one fit costs
 * minutes, a 6-value grid per seed would dominate the run); its settings are fixed up front and
 * printed in the report's settings, and the budget asymmetry is stated there.
 */
import type { ModelSpec, Params } from './tune';
import { createEranRecommender, type EranHarnessOptions } from './eran-recommender';
import type { EranVariant } from '../model/options';

export interface EranSpecOptions {
  readonly epochs: number;
  readonly maxSeconds?: number;
  readonly hidden?: readonly number[];
  readonly learningRate?: number;
  readonly reconstruction?: 'exact' | 'sampled';
  readonly itemBias?: boolean;
  readonly batchSize?: number;
}

export function eranSpec(variant: EranVariant, options: EranSpecOptions, name = variant): ModelSpec {
  const harness: EranHarnessOptions = {
    name,
    variant,
    epochs: options.epochs,
    maxSeconds: options.maxSeconds,
    ...(options.hidden ? { hidden: options.hidden } : {}),
    ...(options.learningRate ? { learningRate: options.learningRate } : {}),
    ...(options.reconstruction ? { reconstruction: options.reconstruction } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    itemBias: options.itemBias ?? false,
  };
  const defaults: Params = { epochs: options.epochs };
  return {
    name,
    defaults,
    create: () => createEranRecommender(harness),
    protocols: ['loo-sampled', 'loo-full', 'cold-start'],
    needsAttributes: true,
  };
}

export function eranSpecs(options: EranSpecOptions): ModelSpec[] {
  return [eranSpec('eran', options), eranSpec('eran-l1', options), eranSpec('eran-l2', options)];
}
