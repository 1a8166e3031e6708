/**
 * eq. 5-7 in plain TypeScript over frozen embeddings: attention a~^k_{u,i} = softmax_k(h^k_i . z_u)
 * and the personalized item representation h_{u,i} = sum_k a~^k_{u,i} h^k_i.
 */
import type { EranEmbeddings } from './embeddings';

/** An item's codes: an existing item index, or per-kind codes h^k_x of a new item (encodeNewItem). */
export type ItemCodes = number | readonly Float32Array[];

/** Writes a~^k_{u,i} (K values) into `attention` and h_{u,i} (d values) into `out`. */
export function personalizeInto(emb: EranEmbeddings, z: ArrayLike<number>, item: ItemCodes, out: Float64Array, attention: Float64Array): void {
  const { dim: d, codes } = emb;
  const kinds = codes.length;
  let max = -Infinity;
  for (let k = 0; k < kinds; k++) {
    const [code, offset] = codeOf(emb, item, k);
    let a = 0;
    for (let t = 0; t < d; t++) a += code[offset + t] * z[t];
    attention[k] = a;
    if (a > max) max = a;
  }
  let total = 0;
  for (let k = 0; k < kinds; k++) {
    attention[k] = Math.exp(attention[k] - max);
    total += attention[k];
  }
  out.fill(0, 0, d);
  for (let k = 0; k < kinds; k++) {
    attention[k] /= total;
    const [code, offset] = codeOf(emb, item, k);
    const w = attention[k];
    for (let t = 0; t < d; t++) out[t] += w * code[offset + t];
  }
  addItemEmbedding(emb, item, out);
}

/** Adds e_i (the itemEmbedding improvement) to `out`; new items (codes) have e = 0. */
export function addItemEmbedding(emb: EranEmbeddings, item: ItemCodes, out: Float64Array): void {
  const e = emb.itemEmbedding;
  if (e == null || typeof item !== 'number') return;
  const d = emb.dim;
  const offset = item * d;
  // Items appended after training (e.g. cold items added to a serving engine) have no vector: e = 0.
  if (offset + d > e.length) return;
  for (let t = 0; t < d; t++) out[t] += e[offset + t];
}

/** Kernel temperature of the embeddings (default 2). */
export function kernelTau(emb: EranEmbeddings): number {
  return emb.tau ?? 2;
}

/** Whether candidates are scored with the kernel rule. */
export function isKernel(emb: EranEmbeddings): boolean {
  return emb.scoring === 'kernel';
}

/** The codes array and offset of kind k of an item. */
export function codeOf(emb: EranEmbeddings, item: ItemCodes, k: number): readonly [ArrayLike<number>, number] {
  return typeof item === 'number' ? [emb.codes[k], item * emb.dim] : [item[k], 0];
}

/** Checks an item reference against the embeddings; throws with what was expected. */
export function checkItem(emb: EranEmbeddings, item: ItemCodes, what = 'item'): void {
  if (typeof item === 'number') {
    if (!Number.isInteger(item) || item < 0 || item >= emb.numItems) {
      throw new Error(`${what}: expected an item index in [0, ${emb.numItems}), got ${item}`);
    }
    return;
  }
  if (item.length !== emb.kinds.length || item.some((c) => c.length !== emb.dim)) {
    throw new Error(
      `${what}: expected ${emb.kinds.length} codes of length ${emb.dim}, got ${item.length} codes of lengths ${item.map((c) => c.length).join(',')}`,
    );
  }
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = a[t] - b[t];
    s += diff * diff;
  }
  return s;
}
