import type { EranEmbeddings } from '../../model/embeddings';
import type { ScoringMode } from '../../model/options';
import { Rng } from '../../model/rng';

export interface RandomEmbeddingsOptions {
  readonly numItems?: number;
  readonly numUsers?: number;
  readonly dim?: number;
  readonly kinds?: readonly string[];
  /** Items fall in this many clusters per kind (code-space neighbours then mean something). */
  readonly clusters?: number;
  readonly scoring?: ScoringMode;
  readonly recencyHalfLife?: number;
  readonly seed?: number;
}

/**
 * Seeded embeddings without training: item codes around per-kind cluster centres, free item
 * vectors, biases and user vectors. For tests of the serving code, whose results must agree with
 * the model core's scorer on any embeddings, trained or not.
 */
export function randomEmbeddings(options: RandomEmbeddingsOptions = {}): EranEmbeddings {
  const { numItems = 80, numUsers = 12, dim = 4, kinds = ['actor', 'director', 'genre'], clusters = 6, seed = 1 } = options;
  const rng = new Rng(seed);
  const codes = kinds.map(() => {
    const centres = Float32Array.from({ length: clusters * dim }, () => rng.normal());
    const out = new Float32Array(numItems * dim);
    for (let i = 0; i < numItems; i++) {
      const c = rng.int(clusters);
      for (let t = 0; t < dim; t++) out[i * dim + t] = centres[c * dim + t]! + 0.3 * rng.normal();
    }
    return out;
  });
  return {
    kinds,
    numItems,
    numUsers,
    dim,
    codes,
    users: Float32Array.from({ length: numUsers * dim }, () => rng.normal()),
    itemBias: Float32Array.from({ length: numItems }, () => 0.5 * rng.normal()),
    itemEmbedding: Float32Array.from({ length: numItems * dim }, () => 0.1 * rng.normal()),
    scoring: options.scoring ?? 'paper',
    tau: 1.5,
    ...(options.recencyHalfLife ? { recencyHalfLife: options.recencyHalfLife } : {}),
  };
}
