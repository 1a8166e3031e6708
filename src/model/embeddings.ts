import type { ScoringMode } from './options';

/**
 * The trained model reduced to plain Float32Arrays: everything scoring and explanation need,
 * with no tensors, so that serving one user costs microseconds and needs no tfjs backend.
 */
export interface EranEmbeddings {
  readonly kinds: readonly string[];
  readonly numItems: number;
  readonly numUsers: number;
  /** Code size d. */
  readonly dim: number;
  /** Per kind k: item codes h^k_i, row-major numItems x dim. */
  readonly codes: readonly Float32Array[];
  /** User embeddings z_u, row-major numUsers x dim. */
  readonly users: Float32Array;
  /** Learned item bias b_i (the `itemBias` improvement), or null in the reference model. */
  readonly itemBias: Float32Array | null;
  /** Free item vectors e_i (the `itemEmbedding` improvement), row-major numItems x dim; absent or null: none. */
  readonly itemEmbedding?: Float32Array | null;
  /** How candidates are scored against the history (absent: 'paper', eq. 13). */
  readonly scoring?: ScoringMode;
  /** Kernel temperature (scoring 'kernel' and 'mixture'; absent: 2). */
  readonly tau?: number;
  /** Recency half-life in purchases (scoring 'mixture'; absent or 0: every purchase weighs 1). */
  readonly recencyHalfLife?: number;
}

/** Validates shapes; used after loading and in tests. */
export function checkEmbeddings(e: EranEmbeddings): void {
  const problems: string[] = [];
  if (e.codes.length !== e.kinds.length) problems.push(`codes: expected ${e.kinds.length} kinds, got ${e.codes.length}`);
  e.codes.forEach((c, k) => {
    if (c.length !== e.numItems * e.dim) problems.push(`codes[${k}]: expected ${e.numItems * e.dim} values, got ${c.length}`);
  });
  if (e.users.length !== e.numUsers * e.dim) problems.push(`users: expected ${e.numUsers * e.dim} values, got ${e.users.length}`);
  if (e.itemBias !== null && e.itemBias.length !== e.numItems) {
    problems.push(`itemBias: expected ${e.numItems} values, got ${e.itemBias.length}`);
  }
  if (e.itemEmbedding != null && e.itemEmbedding.length !== e.numItems * e.dim) {
    problems.push(`itemEmbedding: expected ${e.numItems * e.dim} values, got ${e.itemEmbedding.length}`);
  }
  if (e.scoring !== undefined && !['paper', 'kernel', 'mixture'].includes(e.scoring))
    problems.push(`scoring: expected paper | kernel | mixture, got ${String(e.scoring)}`);
  if (e.recencyHalfLife !== undefined && !(e.recencyHalfLife >= 0)) problems.push(`recencyHalfLife: expected a number >= 0, got ${e.recencyHalfLife}`);
  if (e.tau !== undefined && !(e.tau > 0)) problems.push(`tau: expected a positive number, got ${e.tau}`);
  if (problems.length > 0) throw new Error(`invalid embeddings: ${problems.join('; ')}`);
}
