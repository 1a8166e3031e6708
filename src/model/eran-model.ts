/**
 * eRAN (paper section 3), equation by equation:
 *   eq. 1-3  one deep autoencoder per attribute network G_k over adjacency rows s^k_v;
 *   eq. 5-6  attention a^k_{u,i} = h^k_i . z_u, softmax over kinds;
 *   eq. 7    h_{u,i} = sum_k a~^k_{u,i} h^k_i;
 *   eq. 8    sim_u(i, j) = -||h_{u,i} - h_{u,j}||^2;
 *   eq. 9-11 ranking loss over (u, i, j, n), in its BPR form (see `rankLoss`);
 *   eq. 12   L = L_net + alpha L_rank.
 *
 * The adjacency input is binary, as in the paper (s_ij = 1 when linked): CsrAdjacency.weights
 * (co-purchase counts) are not used by the model. The first layer is a sum of W1 rows over an
 * item's neighbours, never a dense N-wide product.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EranEmbeddings } from './embeddings';
import { ensureGradients } from './gradients';
import type { CsrAdjacency, GraphData } from './graph-data';
import { BuildEranOptions, EranConfig, codeSize, resolveEranConfig } from './options';
import { Rng } from './rng';
import {
  SegmentPlan,
  defaultChunkFloats,
  dense,
  exactReconstructionLoss,
  gatherPlan,
  gatherRows,
  matMulBT,
  pairLogits,
  segmentPlan,
  segmentSum,
  sparseDense,
} from './sparse-ops';

export interface DenseLayer {
  readonly w: tf.Variable<tf.Rank.R2>;
  readonly b: tf.Variable<tf.Rank.R1>;
}

/** One autoencoder (eq. 1-3) over the attribute network of `kind`. */
export interface KindAutoencoder {
  readonly kind: string;
  /** First encoder layer, N x h1: row c is added once for each neighbour c of the input item. */
  readonly input: DenseLayer;
  /** Remaining encoder layers h1 -> ... -> d; the last output is the code h^k. */
  readonly encoder: readonly DenseLayer[];
  /** Decoder layers d -> ... -> h1 (empty when the variant has no reconstruction loss). */
  readonly decoder: readonly DenseLayer[];
  /** Output layer stored transposed, N x h1 (one row per reconstructed column), bias N; null without decoder. */
  readonly output: DenseLayer | null;
}

export class EranModel {
  constructor(
    readonly config: EranConfig,
    readonly autoencoders: readonly KindAutoencoder[],
    /** z_u, numUsers x d (fixed to 1.0 in eran-l2). */
    readonly users: tf.Variable<tf.Rank.R2>,
    /** b_i, numItems (only with the itemBias improvement). */
    readonly itemBias: tf.Variable<tf.Rank.R1> | null,
    /** e_i, numItems x d (only with the itemEmbedding improvement). */
    readonly itemEmbedding: tf.Variable<tf.Rank.R2> | null = null,
  ) {}

  get dim(): number {
    return codeSize(this.config);
  }

  get hasDecoder(): boolean {
    return this.config.variant !== 'eran-l1';
  }

  /** Stable names (independent of tfjs' global variable names) for checkpoints. */
  namedVariables(): Array<readonly [string, tf.Variable]> {
    const out: Array<readonly [string, tf.Variable]> = [];
    this.autoencoders.forEach((ae, k) => {
      const p = `k${k}`;
      out.push([`${p}.input.w`, ae.input.w], [`${p}.input.b`, ae.input.b]);
      ae.encoder.forEach((l, i) => out.push([`${p}.enc${i}.w`, l.w], [`${p}.enc${i}.b`, l.b]));
      ae.decoder.forEach((l, i) => out.push([`${p}.dec${i}.w`, l.w], [`${p}.dec${i}.b`, l.b]));
      if (ae.output) out.push([`${p}.output.w`, ae.output.w], [`${p}.output.b`, ae.output.b]);
    });
    out.push(['users', this.users]);
    if (this.itemBias) out.push(['itemBias', this.itemBias]);
    if (this.itemEmbedding) out.push(['itemEmbedding', this.itemEmbedding]);
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return this.namedVariables()
      .map(([, v]) => v)
      .filter((v) => v.trainable);
  }

  dispose(): void {
    for (const [, v] of this.namedVariables()) v.dispose();
  }
}

/** Builds a model with seeded Glorot-uniform weights, zero biases and small normal z_u. */
export function buildEran(options: BuildEranOptions): EranModel {
  const config = resolveEranConfig(options);
  ensureGradients();
  const rng = new Rng(config.seed);
  const n = config.numItems;
  const widths = config.hidden;
  const d = codeSize(config);
  const autoencoders: KindAutoencoder[] = config.kinds.map((kind) => {
    const input = denseLayer(rng, n, widths[0], n, widths[0]);
    const encoder: DenseLayer[] = [];
    for (let i = 1; i < widths.length; i++) encoder.push(denseLayer(rng, widths[i - 1], widths[i]));
    const decoder: DenseLayer[] = [];
    let output: DenseLayer | null = null;
    if (config.variant !== 'eran-l1') {
      for (let i = widths.length - 1; i > 0; i--) decoder.push(denseLayer(rng, widths[i], widths[i - 1]));
      output = denseLayer(rng, n, widths[0], widths[0], n, n);
    }
    return { kind, input, encoder, decoder, output };
  });
  const users = tf.tidy(() =>
    config.variant === 'eran-l2'
      ? tf.variable(tf.ones([config.numUsers, d]), false)
      : tf.variable(tf.tensor2d(normalArray(rng, config.numUsers * d, config.userInitStd), [config.numUsers, d]), true),
  ) as tf.Variable<tf.Rank.R2>;
  const itemBias = config.itemBias ? (tf.tidy(() => tf.variable(tf.zeros([n]), config.variant !== 'eran-l2')) as tf.Variable<tf.Rank.R1>) : null;
  // Drawn after every reference weight, so the reference initialisation is unchanged by the option.
  const itemEmbedding = config.itemEmbedding
    ? (tf.tidy(() => tf.variable(tf.tensor2d(normalArray(rng, n * d, config.itemInitStd), [n, d]), config.variant !== 'eran-l2')) as tf.Variable<tf.Rank.R2>)
    : null;
  return new EranModel(config, autoencoders, users, itemBias, itemEmbedding);
}

/** Glorot-uniform weights (rows x cols) and a zero bias of `biasSize` (cols, or rows for the transposed output layer). */
function denseLayer(rng: Rng, rows: number, cols: number, fanIn = rows, fanOut = cols, biasSize = cols): DenseLayer {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * limit;
  return {
    w: tf.tidy(() => tf.variable(tf.tensor2d(values, [rows, cols]), true)) as tf.Variable<tf.Rank.R2>,
    b: tf.tidy(() => tf.variable(tf.zeros([biasSize]), true)) as tf.Variable<tf.Rank.R1>,
  };
}

function normalArray(rng: Rng, length: number, std: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.normal() * std;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mini-batch preparation (plain JS: index plans and masks; no tensors)
// ---------------------------------------------------------------------------------------------

/** Triplets (u, i, j, n): i, j in R_u, i != j, n not in R_u. */
export interface TripletBatch {
  readonly users: Int32Array;
  readonly anchors: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: Int32Array;
}

export type KindReconstruction =
  | { readonly mode: 'none' }
  /** mask: U x N, 1 where s_rc = 1. */
  | { readonly mode: 'exact'; readonly mask: Float32Array }
  | {
      readonly mode: 'sampled';
      readonly numColumns: number;
      /** Gathers the sampled columns' output rows (and biases). */
      readonly columns: SegmentPlan;
      /** U x m, 1 where the sampled entry is a zero of s. */
      readonly zeroMask: Float32Array;
      /** Horvitz-Thompson weight N / m of each sampled zero entry. */
      readonly zeroWeight: number;
      /** The non-zeros (r, c) of the batch rows (r: batch row, c: item), row-ordered. */
      readonly nonzeroRows: Int32Array;
      readonly nonzeroCols: Int32Array;
      /** 1 when every non-zero is gathered, nnz / sampled when they were capped (sampledMaxNonzeros). */
      readonly nonzeroWeight: number;
    };

export interface KindBatch {
  /** First layer: W1 rows (N) summed into batch rows (U) over each row's neighbours. */
  readonly encode: SegmentPlan;
  readonly nonzeros: number;
  readonly reconstruction: KindReconstruction;
}

export interface PreparedBatch {
  readonly size: number;
  /** Unique items of the batch, ascending: each is encoded once per kind. */
  readonly items: Int32Array;
  readonly kinds: readonly KindBatch[];
  readonly anchors: SegmentPlan;
  readonly positives: SegmentPlan;
  readonly negatives: SegmentPlan;
  readonly users: SegmentPlan;
  /** Over all N items, for the item-bias / item-embedding improvements. */
  readonly anchorItems: SegmentPlan | null;
  readonly positiveItems: SegmentPlan | null;
  readonly negativeItems: SegmentPlan | null;
}

/** Builds the index plans of one mini-batch. `rng` draws the sampled reconstruction columns. */
export function prepareBatch(model: EranModel, networks: readonly CsrAdjacency[], batch: TripletBatch, rng: Rng): PreparedBatch {
  const { config } = model;
  const n = config.numItems;
  checkNetworks(networks, config.kinds, n);
  const size = batch.users.length;
  if (batch.anchors.length !== size || batch.positives.length !== size || batch.negatives.length !== size) {
    throw new Error(
      `prepareBatch: expected users/anchors/positives/negatives of equal length, got ${size}/${batch.anchors.length}/${batch.positives.length}/${batch.negatives.length}`,
    );
  }
  const marked = new Uint8Array(n);
  for (const list of [batch.anchors, batch.positives, batch.negatives]) {
    for (let t = 0; t < size; t++) {
      const item = list[t];
      if (!(item >= 0 && item < n)) throw new Error(`prepareBatch: expected item indexes in [0, ${n}), got ${item}`);
      marked[item] = 1;
    }
  }
  const local = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) if (marked[i]) local[i] = count++;
  const items = new Int32Array(count);
  for (let i = 0; i < n; i++) if (marked[i]) items[local[i]] = i;

  const needRecon = model.hasDecoder;
  const kinds = networks.map((net) => prepareKind(net, items, needRecon, config, rng));

  const toLocal = (list: Int32Array): Int32Array => list.map((item) => local[item]);
  for (let t = 0; t < size; t++) {
    const u = batch.users[t];
    if (!(u >= 0 && u < config.numUsers)) throw new Error(`prepareBatch: expected user indexes in [0, ${config.numUsers}), got ${u}`);
  }
  return {
    size,
    items,
    kinds,
    anchors: gatherPlan(toLocal(batch.anchors), count),
    positives: gatherPlan(toLocal(batch.positives), count),
    negatives: gatherPlan(toLocal(batch.negatives), count),
    users: gatherPlan(batch.users, config.numUsers),
    anchorItems: model.itemEmbedding ? gatherPlan(batch.anchors, n) : null,
    positiveItems: model.itemBias || model.itemEmbedding ? gatherPlan(batch.positives, n) : null,
    negativeItems: model.itemBias || model.itemEmbedding ? gatherPlan(batch.negatives, n) : null,
  };
}

export function prepareKind(net: CsrAdjacency, items: Int32Array, needRecon: boolean, config: EranConfig, rng: Rng): KindBatch {
  const { reconstruction: mode, sampledColumns, sampledMaxDensity: maxDensity, sampledMaxNonzeros } = config;
  const n = net.n;
  const u = items.length;
  let nnz = 0;
  for (let r = 0; r < u; r++) nnz += net.indptr[items[r] + 1] - net.indptr[items[r]];
  const cols = new Int32Array(nnz);
  const rows = new Int32Array(nnz);
  let e = 0;
  for (let r = 0; r < u; r++) {
    for (let p = net.indptr[items[r]]; p < net.indptr[items[r] + 1]; p++) {
      cols[e] = net.indices[p];
      rows[e] = r;
      e++;
    }
  }
  const encode = segmentPlan(cols, rows, n, u);
  if (!needRecon) return { encode, nonzeros: nnz, reconstruction: { mode: 'none' } };

  const useExact = mode === 'exact' || nnz > maxDensity * u * n || sampledColumns >= n;
  if (useExact) {
    const mask = new Float32Array(u * n);
    for (let q = 0; q < nnz; q++) mask[rows[q] * n + cols[q]] = 1;
    return { encode, nonzeros: nnz, reconstruction: { mode: 'exact', mask } };
  }
  const m = sampledColumns;
  const sampled = rng.sampleDistinct(n, m);
  const zeroMask = new Float32Array(u * m).fill(1);
  for (let r = 0; r < u; r++) {
    // Both lists are ascending: a merge walk marks the sampled columns that are neighbours.
    let p = net.indptr[items[r]];
    const end = net.indptr[items[r] + 1];
    for (let c = 0; c < m && p < end; c++) {
      while (p < end && net.indices[p] < sampled[c]) p++;
      if (p < end && net.indices[p] === sampled[c]) zeroMask[r * m + c] = 0;
    }
  }
  // Gathering a non-zero costs a row of width h1 in memory: beyond the cap, a uniform sample of
  // the non-zeros (kept in row order) stands for all of them, weighted by nnz / cap.
  let nzRows = rows;
  let nzCols = cols;
  if (nnz > sampledMaxNonzeros) {
    const keep = rng.sampleDistinct(nnz, sampledMaxNonzeros);
    nzRows = keep.map((q) => rows[q]);
    nzCols = keep.map((q) => cols[q]);
  }
  return {
    encode,
    nonzeros: nnz,
    reconstruction: {
      mode: 'sampled',
      numColumns: m,
      columns: gatherPlan(sampled, n),
      zeroMask,
      zeroWeight: n / m,
      nonzeroRows: nzRows,
      nonzeroCols: nzCols,
      nonzeroWeight: nnz / nzRows.length,
    },
  };
}

function checkNetworks(networks: readonly CsrAdjacency[], kinds: readonly string[], n: number): void {
  if (networks.length !== kinds.length) {
    throw new Error(`networks: expected ${kinds.length} (${kinds.join(', ')}), got ${networks.length}`);
  }
  networks.forEach((net, k) => {
    if (net.n !== n || net.indptr.length !== n + 1) {
      throw new Error(`networks[${k}] (${net.kind}): expected ${n} items, got n=${net.n} with ${net.indptr.length - 1} rows`);
    }
    if (net.kind !== kinds[k]) throw new Error(`networks[${k}]: expected kind ${kinds[k]}, got ${net.kind}`);
  });
}

// ---------------------------------------------------------------------------------------------
// User-level batches (rankLoss 'user'): users with their full R_u and (i, n) pairs
// ---------------------------------------------------------------------------------------------

/**
 * Groups g = 0..G-1: user users[g] with history historyItems[offsets[g] .. offsets[g + 1]) (R_u,
 * ascending). Pair t: user group pairGroup[t], positive = the history entry at flat position
 * positiveRows[t] (i in R_u), negative item negatives[t] (n outside R_u).
 */
export interface UserBatch {
  readonly users: Int32Array;
  readonly offsets: Int32Array;
  readonly historyItems: Int32Array;
  readonly pairGroup: Int32Array;
  readonly positiveRows: Int32Array;
  readonly negatives: Int32Array;
}

export interface PreparedUserBatch {
  readonly kindOfBatch: 'user';
  /** Number of (i, n) pairs. */
  readonly size: number;
  readonly items: Int32Array;
  readonly kinds: readonly KindBatch[];
  /** History rows (P): codes (local items), z (users), e / b (global items). */
  readonly historyLocal: SegmentPlan;
  readonly historyUsers: SegmentPlan;
  readonly historyGlobal: SegmentPlan | null;
  /** Negatives (T). */
  readonly negativeLocal: SegmentPlan;
  readonly negativeUsers: SegmentPlan;
  readonly negativeGlobal: SegmentPlan | null;
  /** h_ui of each pair's positive: rows of the history reps (T of P). */
  readonly positiveRows: SegmentPlan;
  /** Score terms e (E): query row of [h_ui; h_un] (2T) and key row of the history reps (P). */
  readonly queries: SegmentPlan;
  readonly keys: SegmentPlan;
  /** Terms summed into their score: segments 0..T-1 score the positives (R_u \ {i}), T..2T-1 the negatives (R_u). */
  readonly terms: SegmentPlan;
  /** Terms per segment (2T). */
  readonly termCounts: Float32Array;
  /** Rows 0..T-1 and T..2T-1 of the 2T scores. */
  readonly positiveScores: SegmentPlan;
  readonly negativeScores: SegmentPlan;
  /** Item bias rows of the positives and negatives (T each), with itemBias. */
  readonly positiveBias: SegmentPlan | null;
  readonly negativeBias: SegmentPlan | null;
}

export function isUserBatch(batch: PreparedBatch | PreparedUserBatch): batch is PreparedUserBatch {
  return (batch as PreparedUserBatch).kindOfBatch === 'user';
}

/** Builds the index plans of a user-level batch. `rng` draws the sampled reconstruction columns. */
export function prepareUserBatch(model: EranModel, networks: readonly CsrAdjacency[], batch: UserBatch, rng: Rng): PreparedUserBatch {
  const { config } = model;
  const n = config.numItems;
  checkNetworks(networks, config.kinds, n);
  const groups = batch.users.length;
  const p = batch.historyItems.length;
  const t = batch.pairGroup.length;
  if (batch.offsets.length !== groups + 1 || batch.offsets[groups] !== p) {
    throw new Error(
      `prepareUserBatch: expected ${groups + 1} offsets ending at ${p}, got ${batch.offsets.length} ending at ${batch.offsets[batch.offsets.length - 1]}`,
    );
  }
  if (batch.positiveRows.length !== t || batch.negatives.length !== t) {
    throw new Error(
      `prepareUserBatch: expected pairGroup/positiveRows/negatives of equal length, got ${t}/${batch.positiveRows.length}/${batch.negatives.length}`,
    );
  }
  const marked = new Uint8Array(n);
  for (const list of [batch.historyItems, batch.negatives]) {
    for (const item of list) {
      if (!(item >= 0 && item < n)) throw new Error(`prepareUserBatch: expected item indexes in [0, ${n}), got ${item}`);
      marked[item] = 1;
    }
  }
  const local = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) if (marked[i]) local[i] = count++;
  const items = new Int32Array(count);
  for (let i = 0; i < n; i++) if (marked[i]) items[local[i]] = i;
  const kinds = networks.map((net) => prepareKind(net, items, model.hasDecoder, config, rng));

  const historyUser = new Int32Array(p);
  for (let g = 0; g < groups; g++) {
    const u = batch.users[g];
    if (!(u >= 0 && u < config.numUsers)) throw new Error(`prepareUserBatch: expected user indexes in [0, ${config.numUsers}), got ${u}`);
    for (let q = batch.offsets[g]; q < batch.offsets[g + 1]; q++) historyUser[q] = u;
  }
  const negativeUser = new Int32Array(t);
  const positiveItem = new Int32Array(t);
  let terms = 0;
  for (let e = 0; e < t; e++) {
    const g = batch.pairGroup[e];
    const row = batch.positiveRows[e];
    if (!(g >= 0 && g < groups) || !(row >= batch.offsets[g] && row < batch.offsets[g + 1])) {
      throw new Error(`prepareUserBatch: pair ${e}: expected a positive row in its user's history, got group ${g}, row ${row}`);
    }
    negativeUser[e] = batch.users[g];
    positiveItem[e] = batch.historyItems[row];
    terms += 2 * (batch.offsets[g + 1] - batch.offsets[g]) - 1;
  }
  const queryIdx = new Int32Array(terms);
  const keyIdx = new Int32Array(terms);
  const segment = new Int32Array(terms);
  const termCounts = new Float32Array(2 * t);
  let e = 0;
  for (let side = 0; side < 2; side++) {
    for (let q = 0; q < t; q++) {
      const g = batch.pairGroup[q];
      const s = side * t + q;
      for (let r = batch.offsets[g]; r < batch.offsets[g + 1]; r++) {
        if (side === 0 && r === batch.positiveRows[q]) continue;
        queryIdx[e] = s;
        keyIdx[e] = r;
        segment[e] = s;
        termCounts[s]++;
        e++;
      }
    }
  }
  const toLocal = (list: Int32Array): Int32Array => list.map((item) => local[item]);
  const global = model.itemEmbedding !== null;
  return {
    kindOfBatch: 'user',
    size: t,
    items,
    kinds,
    historyLocal: gatherPlan(toLocal(batch.historyItems), count),
    historyUsers: gatherPlan(historyUser, config.numUsers),
    historyGlobal: global ? gatherPlan(batch.historyItems, n) : null,
    negativeLocal: gatherPlan(toLocal(batch.negatives), count),
    negativeUsers: gatherPlan(negativeUser, config.numUsers),
    negativeGlobal: global ? gatherPlan(batch.negatives, n) : null,
    positiveRows: gatherPlan(batch.positiveRows, p),
    queries: gatherPlan(queryIdx, 2 * t),
    keys: gatherPlan(keyIdx, p),
    terms: segmentPlan(
      Int32Array.from({ length: terms }, (_, q) => q),
      segment,
      terms,
      2 * t,
    ),
    termCounts,
    positiveScores: gatherPlan(
      Int32Array.from({ length: t }, (_, q) => q),
      2 * t,
    ),
    negativeScores: gatherPlan(
      Int32Array.from({ length: t }, (_, q) => t + q),
      2 * t,
    ),
    positiveBias: model.itemBias ? gatherPlan(positiveItem, n) : null,
    negativeBias: model.itemBias ? gatherPlan(batch.negatives, n) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Forward pass and losses (call inside tf.tidy or a gradient scope)
// ---------------------------------------------------------------------------------------------

/** Codes h^k of the rows summed by `plan` (eq. 1): sigmoid layers over the sparse input. */
export function encodeRows(model: EranModel, kind: number, plan: SegmentPlan): tf.Tensor2D {
  return encodeRowsWith(model, kind, model.autoencoders[kind].input.w, plan);
}

/**
 * encodeRows with the first layer's weights given: `inputRows` holds the W1 rows that `plan`
 * indexes (the whole N x h1 matrix, or just the rows a training step gathered).
 */
export function encodeRowsWith(model: EranModel, kind: number, inputRows: tf.Tensor2D, plan: SegmentPlan, rowScale: Float32Array | null = null): tf.Tensor2D {
  const ae = model.autoencoders[kind];
  const act = model.config.activation;
  let h = sparseDense(inputRows, plan, ae.input.b, act, rowScale);
  for (const layer of ae.encoder) h = dense(h, layer.w, layer.b, act);
  return h;
}

export function decodeHidden(model: EranModel, kind: number, code: tf.Tensor2D): tf.Tensor2D {
  const act = model.config.activation;
  let g = code;
  for (const layer of model.autoencoders[kind].decoder) g = dense(g, layer.w, layer.b, act);
  return g;
}

/**
 * eq. 3: sum_v ||(s_v - s^_v) (.) b_v||^2 with b = 1 on non-zeros and beta on zeros, i.e. squared
 * errors weighted by 1 and beta^2 (the Hadamard product sits inside the square).
 */
export function reconstructionLoss(model: EranModel, kind: number, code: tf.Tensor2D, kb: KindBatch): tf.Scalar {
  const recon = kb.reconstruction;
  const out = model.autoencoders[kind].output;
  if (recon.mode === 'none' || out === null) return tf.scalar(0);
  const beta2 = model.config.beta * model.config.beta;
  const hidden = decodeHidden(model, kind, code);
  const u = hidden.shape[0];
  const n = model.config.numItems;
  if (recon.mode === 'exact') return exactReconstructionLoss(hidden, out.w, out.b, recon.mask, model.config.beta);
  const m = recon.numColumns;
  const biasColumn = tf.reshape(out.b, [n, 1]) as tf.Tensor2D;
  const wCols = gatherRows(out.w, recon.columns);
  const bCols = tf.reshape(gatherRows(biasColumn, recon.columns), [m]);
  const sCols = tf.sigmoid(tf.add(matMulBT(hidden, wCols), bCols));
  const zeroTerm = tf.mul(tf.sum(tf.mul(tf.tensor2d(recon.zeroMask, [u, m]), tf.square(sCols))), beta2 * recon.zeroWeight);
  if (recon.nonzeroRows.length === 0) return zeroTerm as tf.Scalar;
  const sNz = tf.sigmoid(pairLogits(hidden, out.w, out.b, recon.nonzeroRows, recon.nonzeroCols));
  return tf.add(zeroTerm, tf.mul(tf.sum(tf.square(tf.sub(1, sNz))), recon.nonzeroWeight)) as tf.Scalar;
}

/** eq. 5-7: h_{u,i} = sum_k softmax_k(h^k_i . z_u) h^k_i, for stacked codes X (B x K x d). */
function personalize(x: tf.Tensor3D, z: tf.Tensor2D): tf.Tensor2D {
  const logits = tf.sum(tf.mul(x, tf.expandDims(z, 1)), 2);
  const attention = tf.softmax(logits);
  return tf.sum(tf.mul(x, tf.expandDims(attention, 2)), 1) as tf.Tensor2D;
}

/**
 * eq. 9-11. The paper prints L_rank = sum log sigma(d_ij - d_in) with d = squared distance; taken
 * literally and minimised it has no lower bound (it rewards d_ij - d_in -> -inf without limit).
 * We implement the BPR form it intends (its eq. 10 is BPR's inequality): softplus(d_ij - d_in) =
 * -log sigma(sim_u(i, j) - sim_u(i, n)), which pushes the same direction and is bounded below by 0.
 * With the item-bias improvement the pair score becomes sim_u(i, c) + b_c.
 */
function rankLoss(model: EranModel, codes: readonly tf.Tensor2D[], batch: PreparedBatch): tf.Scalar {
  const k = codes.length;
  const d = model.dim;
  const all = codes.length === 1 ? codes[0] : tf.concat([...codes], 1);
  const stacked = (plan: SegmentPlan): tf.Tensor3D => tf.reshape(gatherRows(all, plan), [batch.size, k, d]) as tf.Tensor3D;
  const z = gatherRows(model.users, batch.users);
  const withE = (h: tf.Tensor2D, plan: SegmentPlan | null): tf.Tensor2D =>
    model.itemEmbedding && plan ? (tf.add(h, gatherRows(model.itemEmbedding, plan)) as tf.Tensor2D) : h;
  const hi = withE(personalize(stacked(batch.anchors), z), batch.anchorItems);
  const hj = withE(personalize(stacked(batch.positives), z), batch.positiveItems);
  const hn = withE(personalize(stacked(batch.negatives), z), batch.negativeItems);
  let margin = tf.sub(tf.sum(tf.square(tf.sub(hi, hj)), 1), tf.sum(tf.square(tf.sub(hi, hn)), 1));
  if (model.itemBias && batch.positiveItems && batch.negativeItems) {
    const bias = tf.reshape(model.itemBias, [model.config.numItems, 1]) as tf.Tensor2D;
    const bj = tf.reshape(gatherRows(bias, batch.positiveItems), [batch.size]);
    const bn = tf.reshape(gatherRows(bias, batch.negativeItems), [batch.size]);
    margin = tf.add(tf.sub(margin, bj), bn);
  }
  return tf.sum(tf.softplus(margin));
}

/**
 * rankLoss 'user': -log sigma(s(u, i) - s(u, n)) summed over the pairs, where s is the serving
 * score against R_u \ {i} (the positive's own term excluded):
 * kernel: s(u, x) = b_x + tau log sum_j exp(-||h_ux - h_uj||^2 / tau), stabilised by the
 * per-score smallest distance (a constant in the gradient: the expression is exact for any shift);
 * paper: s(u, x) = b_x - mean_j ||h_ux - h_uj||^2 (eq. 13 divided by the number of terms).
 */
/**
 * score[s] = tau log sum_{e in s} exp(-dist[e] / tau), as a (numSegments x 1) column; an empty
 * segment scores 0. Its gradient is d score[s] / d dist[e] = -softmax_e(-dist / tau) within the
 * segment, written out (wasm-safe: no Exp / Log gradients needed). `expand` maps each term e to
 * its segment row (a gather plan over the segments).
 */
export function kernelLogSumExp(dist: tf.Tensor1D, segments: SegmentPlan, expand: SegmentPlan, tau: number): tf.Tensor2D {
  const terms = segments.numDataRows;
  const numSegments = segments.numSegments;
  if (dist.shape[0] !== terms) throw new Error(`kernelLogSumExp: expected ${terms} distances, got ${dist.shape[0]}`);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor1D;
    const save = args[1] as tf.GradSaveFunc;
    // Stabilised by each segment's smallest distance (computed in JS; the result is exact for any shift).
    const values = x.dataSync();
    const seg = segments.fwdSegments;
    const segMin = new Float32Array(numSegments).fill(Infinity);
    for (let e = 0; e < terms; e++) if (values[e] < segMin[seg[e]]) segMin[seg[e]] = values[e];
    const shift = new Float32Array(terms);
    for (let e = 0; e < terms; e++) shift[e] = segMin[seg[e]];
    const empty = new Float32Array(numSegments);
    for (let s = 0; s < numSegments; s++) {
      if (!Number.isFinite(segMin[s])) {
        segMin[s] = 0;
        empty[s] = 1;
      }
    }
    const [value, weights] = tf.tidy(() => {
      const w = tf.reshape(tf.exp(tf.div(tf.sub(tf.tensor1d(shift), x), tau)), [terms, 1]) as tf.Tensor2D;
      const total = tf.add(segmentSum(w, segments), tf.tensor2d(empty, [numSegments, 1]));
      const out = tf.sub(tf.mul(tf.log(total), tau), tf.tensor2d(segMin, [numSegments, 1])) as tf.Tensor2D;
      // Softmax weight of each term within its segment.
      const p = tf.reshape(tf.div(w, gatherRows(total as tf.Tensor2D, expand)), [terms]);
      return [out, p];
    });
    save([weights]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const spread = tf.reshape(gatherRows(dy as tf.Tensor2D, expand), [terms]);
        return tf.neg(tf.mul(saved[0], spread));
      },
    };
  });
  return op(dist) as tf.Tensor2D;
}

function userRankLoss(model: EranModel, codes: readonly tf.Tensor2D[], batch: PreparedUserBatch): tf.Scalar {
  const k = codes.length;
  const d = model.dim;
  const t = batch.size;
  const all = codes.length === 1 ? codes[0] : tf.concat([...codes], 1);
  const rep = (local: SegmentPlan, users: SegmentPlan, global: SegmentPlan | null): tf.Tensor2D => {
    const x = tf.reshape(gatherRows(all, local), [local.numSegments, k, d]) as tf.Tensor3D;
    const h = personalize(x, gatherRows(model.users, users));
    return model.itemEmbedding && global ? (tf.add(h, gatherRows(model.itemEmbedding, global)) as tf.Tensor2D) : h;
  };
  const history = rep(batch.historyLocal, batch.historyUsers, batch.historyGlobal);
  const negatives = rep(batch.negativeLocal, batch.negativeUsers, batch.negativeGlobal);
  const queries = tf.concat([gatherRows(history, batch.positiveRows), negatives], 0) as tf.Tensor2D;
  const dist = tf.sum(tf.square(tf.sub(gatherRows(queries, batch.queries), gatherRows(history, batch.keys))), 1) as tf.Tensor1D;
  const terms = batch.terms.numDataRows;
  let score: tf.Tensor2D;
  if (model.config.scoring === 'kernel') {
    score = kernelLogSumExp(dist, batch.terms, batch.queries, model.config.tau);
  } else {
    const inverse = tf.tensor2d(
      batch.termCounts.map((c) => 1 / Math.max(c, 1)),
      [2 * t, 1],
    );
    score = tf.neg(tf.mul(segmentSum(tf.reshape(dist, [terms, 1]) as tf.Tensor2D, batch.terms), inverse)) as tf.Tensor2D;
  }
  const pos = tf.reshape(gatherRows(score, batch.positiveScores), [t]);
  const neg = tf.reshape(gatherRows(score, batch.negativeScores), [t]);
  let margin = tf.sub(neg, pos);
  if (model.itemBias && batch.positiveBias && batch.negativeBias) {
    const bias = tf.reshape(model.itemBias, [model.config.numItems, 1]) as tf.Tensor2D;
    const bi = tf.reshape(gatherRows(bias, batch.positiveBias), [t]);
    const bn = tf.reshape(gatherRows(bias, batch.negativeBias), [t]);
    margin = tf.add(tf.sub(margin, bi), bn);
  }
  return tf.sum(tf.softplus(margin));
}

export interface LossTensors {
  /** eq. 12 (per variant). */
  readonly total: tf.Scalar;
  /** eq. 3 summed over kinds and over the batch's unique items (0 for eran-l1). */
  readonly net: tf.Scalar;
  /** eq. 11 summed over the batch's triplets (reported for eran-l2, but not optimised). */
  readonly rank: tf.Scalar;
}

/** The losses of one prepared mini-batch. Call inside tf.tidy or a gradient function. */
export function eranLoss(model: EranModel, batch: PreparedBatch | PreparedUserBatch): LossTensors {
  const codes: tf.Tensor2D[] = [];
  let net: tf.Scalar = tf.scalar(0);
  batch.kinds.forEach((kb, k) => {
    const code = encodeRows(model, k, kb.encode);
    codes.push(code);
    if (model.hasDecoder) net = tf.add(net, reconstructionLoss(model, k, code, kb));
  });
  const rank = isUserBatch(batch) ? userRankLoss(model, codes, batch) : rankLoss(model, codes, batch);
  const { variant, alpha } = model.config;
  const total = variant === 'eran-l1' ? rank : variant === 'eran-l2' ? net : (tf.add(net, tf.mul(rank, alpha)) as tf.Scalar);
  return { total, net, rank };
}

// ---------------------------------------------------------------------------------------------
// Inference helpers
// ---------------------------------------------------------------------------------------------

/**
 * h^k for every item (encoders only), per kind a row-major numItems x d array. Chunks hold at most
 * `chunkSize` items and at most `maxPairs` (item, neighbour) pairs: on the native backend the first
 * layer materialises one h1-wide row per pair, so a dense network (thousands of links per item)
 * must be cut by links, not by items.
 */
export function computeItemCodes(
  model: EranModel,
  networks: readonly CsrAdjacency[],
  chunkSize = tf.getBackend() === 'wasm' ? 1024 : 8192,
  // wasm sums neighbour rows in place (SparseSegmentSum): only the item count bounds its chunks.
  maxPairs = tf.getBackend() === 'wasm' ? Infinity : Math.max(1, Math.floor(defaultChunkFloats() / Math.max(1, model.autoencoders[0]?.input.w.shape[1] ?? 1))),
): Float32Array[] {
  const n = model.config.numItems;
  checkNetworks(networks, model.config.kinds, n);
  const d = model.dim;
  return networks.map((net, k) => {
    const out = new Float32Array(n * d);
    for (let start = 0; start < n;) {
      let end = start + 1;
      while (end < n && end - start < chunkSize && net.indptr[end + 1] - net.indptr[start] <= maxPairs) end++;
      const rows: number[] = [];
      const cols: number[] = [];
      for (let i = start; i < end; i++) {
        for (let p = net.indptr[i]; p < net.indptr[i + 1]; p++) {
          cols.push(net.indices[p]);
          rows.push(i - start);
        }
      }
      const plan = segmentPlan(Int32Array.from(cols), Int32Array.from(rows), n, end - start);
      const block = tf.tidy(() => encodeRows(model, k, plan));
      out.set(block.dataSync(), start * d);
      block.dispose();
      start = end;
    }
    return out;
  });
}

/** The trained model as plain arrays for scoring and explanation (see embeddings.ts). */
export function freezeEran(model: EranModel, networks: readonly CsrAdjacency[]): EranEmbeddings {
  return {
    kinds: [...model.config.kinds],
    numItems: model.config.numItems,
    numUsers: model.config.numUsers,
    dim: model.dim,
    codes: computeItemCodes(model, networks),
    users: model.users.dataSync().slice() as Float32Array,
    itemBias: model.itemBias ? (model.itemBias.dataSync().slice() as Float32Array) : null,
    itemEmbedding: model.itemEmbedding ? (model.itemEmbedding.dataSync().slice() as Float32Array) : null,
    scoring: model.config.scoring,
    tau: model.config.tau,
    ...(model.config.recencyHalfLife > 0 ? { recencyHalfLife: model.config.recencyHalfLife } : {}),
  };
}

/**
 * Cold-start item (section 3.1, eq. 14): runs the trained encoders on a brand-new item's
 * adjacency row in each G_k, i.e. its attribute links to existing items only. Returns h^k_x per kind.
 */
export function encodeNewItem(model: EranModel, neighboursPerKind: readonly ArrayLike<number>[]): Float32Array[] {
  const { kinds, numItems } = model.config;
  if (neighboursPerKind.length !== kinds.length) {
    throw new Error(`encodeNewItem: expected neighbours for ${kinds.length} kinds (${kinds.join(', ')}), got ${neighboursPerKind.length}`);
  }
  return neighboursPerKind.map((neighbours, k) => {
    // The input is binary: duplicates collapse to one link.
    const unique = Int32Array.from(new Set(Array.from(neighbours))).sort();
    for (const c of unique) {
      if (!(c >= 0 && c < numItems)) throw new Error(`encodeNewItem: expected neighbour indexes in [0, ${numItems}), got ${c}`);
    }
    const plan = segmentPlan(unique, new Int32Array(unique.length), numItems, 1);
    const code = tf.tidy(() => encodeRows(model, k, plan));
    const values = code.dataSync().slice() as Float32Array;
    code.dispose();
    return values;
  });
}

/** Builds a model shaped for `data` (items, users, kinds from its networks). */
export function buildEranFor(data: GraphData, options: Omit<BuildEranOptions, 'numItems' | 'numUsers' | 'kinds'> = {}): EranModel {
  return buildEran({ ...options, numItems: data.itemIds.length, numUsers: data.userIds.length, kinds: data.networks.map((n) => n.kind) });
}
