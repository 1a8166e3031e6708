/**
 * Trainer for `scoring: 'mixture'` (eran-plus, see mixture.ts for the score), linear in the
 * catalogue: no step, validation or checkpoint holds an items x items array.
 *
 * One step takes a batch of users. Each user's visit uses at most `keysPerUser` of their training
 * purchases (a uniform subset beyond that), both as the kernel keys j and as the targets x, each
 * target scored from the other keys (s(u, x) over R_u \ {x}, as in the score). The targets are
 * ranked against candidate columns shared by the batch:
 *
 * - catalogues of at most `fullSoftmaxItems` items: every item is a column, and the loss is the
 *   multinomial likelihood of the targets under softmax over the whole catalogue (Mult-VAE's
 *   loss; the other purchases of a subsampled heavy user are masked out of the denominator);
 * - larger catalogues: a sampled softmax. `negatives` draws from q ~ (popularity + 1)^0.75 form
 *   the columns; a column drawn c times enters the denominator with the importance weight
 *   c / (draws q), i.e. logit + log c - log(draws q) (the log-Q correction), and columns the user
 *   bought are masked; the targets' own scores come from the user's keys x keys block.
 *
 * So the kernel terms are computed only over (keys x columns) and (keys x keys) per user: the
 * cost of a step is O(B L (S + L) d K) plus encoding the items it touches.
 *
 * Parameters with one row per item or user (the autoencoders' N-wide input and output layers,
 * e, b, z) live in RowTables in JS memory with lazy Adam (row-table.ts): a step gathers the rows
 * it touches (the items it scores, their network neighbours, the reconstructed columns),
 * differentiates with respect to those small tensors, and updates only those rows. The small
 * dense layers use the usual Adam. Reconstruction (eq. 3) of `reconRows` random items per step,
 * over sampled columns (all columns on small catalogues), keeps a cold item's code (its
 * attribute links alone) meaningful.
 *
 * Early stopping without a caller-given metric: each user's latest positive is held out, the
 * model trains on the rest until nDCG@10 of the held-out items (ranked among every item on small
 * catalogues, among `validationNegatives` sampled items on large ones, for at most
 * `validationUsers` users) stops improving, then every weight is reset and the model refitted on
 * all positives for the best number of epochs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from './adam';
import type { EranModel } from './eran-model';
import { computeItemCodes, decodeHidden, encodeRowsWith } from './eran-model';
import type { GraphData } from './graph-data';
import { MIXTURE_EPSILON } from './mixture';
import { latestIndex, recencyWeights } from './recency';
import { Rng } from './rng';
import { ADAM_DEFAULTS, AdamSettings, RowTable } from './row-table';
import { RowWorkers } from './row-workers';
import { batchedGram, gatherPlan, gatherRows, matMul, matMulBT, pairLogits, segmentPlan, segmentSum, type SegmentPlan } from './sparse-ops';
import type { EpochSummary, LossValues, ProgressCallback, StopReason, TrainOptions, TrainResult } from './trainer';

export interface MixtureTrainerSettings {
  /** Users per step. */
  readonly batchUsers: number;
  /** At most this many of a user's purchases per visit (keys and targets). */
  readonly keysPerUser: number;
  /**
   * Larger catalogues (sampled softmax): at most this many purchases per visit. A step's kernel
   * work is B x keys x (negatives + keys) per kind, so a visit holds a random part of a long
   * history (the targets are scored from the other sampled keys; each visit draws anew).
   */
  readonly sampledKeysPerUser: number;
  /**
   * Larger catalogues: at most this many network neighbours per item and kind feed the first
   * layer in a training step (a fresh uniform sample each step, the sum scaled by degree /
   * sample: unbiased for the layer's input). Validation, checkpoints and serving use every link.
   */
  readonly inputNeighbours: number;
  /** Catalogues up to this size use every item as a candidate (the exact multinomial likelihood). */
  readonly fullSoftmaxItems: number;
  /** Negative draws per step on larger catalogues. */
  readonly negatives: number;
  /** Items whose adjacency rows are reconstructed (eq. 3) per step. */
  readonly reconRows: number;
  /** Weight of L_net against the likelihood (per reconstructed row). */
  readonly reconWeight: number;
  /** Early stopping: users whose held-out item is ranked per validation (a fixed seeded sample). */
  readonly validationUsers: number;
  /** Early stopping on larger catalogues: sampled items the held-out item is ranked among. */
  readonly validationNegatives: number;
  readonly patience: number;
  /**
   * Threads for the row tables' Adam updates, this one included (row-workers.ts); 0: the cores,
   * at most 4. The result does not depend on it.
   */
  readonly rowThreads: number;
}

export const MIXTURE_TRAINER_DEFAULTS: MixtureTrainerSettings = {
  batchUsers: 128,
  keysPerUser: 256,
  sampledKeysPerUser: 32,
  inputNeighbours: 32,
  fullSoftmaxItems: 4096,
  negatives: 1024,
  reconRows: 128,
  reconWeight: 1,
  validationUsers: 2000,
  validationNegatives: 999,
  patience: 3,
  rowThreads: 0,
};

/** Popularity exponent of the negative sampler (word2vec's). */
const NEGATIVE_POWER = 0.75;
/** Added to a masked logit: far below any score, finite so that 0 x mask stays 0. */
const MASKED = -1e9;

// ---------------------------------------------------------------------------------------------
// Parameters: row tables + dense variables
// ---------------------------------------------------------------------------------------------

interface Params {
  readonly input: RowTable[];
  readonly output: Array<RowTable | null>;
  readonly outputBias: Array<RowTable | null>;
  readonly users: RowTable;
  readonly bias: RowTable | null;
  readonly embedding: RowTable | null;
  /** The small layers (N-independent), updated by the usual Adam. */
  readonly dense: tf.Variable[];
}

function tablesOf(model: EranModel): Params {
  const ae = model.autoencoders;
  const dense = ae.flatMap((a) => [a.input.b, ...a.encoder.flatMap((l) => [l.w, l.b]), ...a.decoder.flatMap((l) => [l.w, l.b])]).filter((v) => v.trainable);
  return {
    input: ae.map((a, k) => RowTable.of(`k${k}.input.w`, a.input.w)),
    output: ae.map((a, k) => (a.output ? RowTable.of(`k${k}.output.w`, a.output.w) : null)),
    outputBias: ae.map((a, k) => (a.output ? RowTable.of(`k${k}.output.b`, a.output.b) : null)),
    users: RowTable.of('users', model.users),
    bias: model.itemBias ? RowTable.of('itemBias', model.itemBias) : null,
    embedding: model.itemEmbedding ? RowTable.of('itemEmbedding', model.itemEmbedding) : null,
    dense,
  };
}

function allTables(p: Params): RowTable[] {
  return [...p.input, ...p.output, ...p.outputBias, p.users, p.bias, p.embedding].filter((t): t is RowTable => t !== null);
}

/** Writes the tables back into the model's variables (after training, before any validation that reads the model). */
function syncModel(model: EranModel, p: Params): void {
  model.autoencoders.forEach((ae, k) => {
    p.input[k].writeTo(ae.input.w);
    if (ae.output) {
      p.output[k]?.writeTo(ae.output.w);
      p.outputBias[k]?.writeTo(ae.output.b);
    }
  });
  p.users.writeTo(model.users);
  if (model.itemBias && p.bias) p.bias.writeTo(model.itemBias);
  if (model.itemEmbedding && p.embedding) p.embedding.writeTo(model.itemEmbedding);
}

interface Snapshot {
  readonly tables: Float32Array[];
  readonly dense: tf.Tensor[];
}

function snapshot(p: Params): Snapshot {
  return { tables: allTables(p).map((t) => t.values.slice()), dense: p.dense.map((v) => tf.clone(v)) };
}

function restore(p: Params, s: Snapshot): void {
  allTables(p).forEach((t, i) => t.reset(s.tables[i]));
  p.dense.forEach((v, i) => v.assign(s.dense[i]));
}

function disposeSnapshot(s: Snapshot): void {
  s.dense.forEach((t) => t.dispose());
}

// ---------------------------------------------------------------------------------------------
// Index bookkeeping for one step (plain JS)
// ---------------------------------------------------------------------------------------------

/** Maps global indexes to positions in a growing list, reusing one N-sized array across steps. */
class LocalIndex {
  private readonly slot: Int32Array;
  readonly list: number[] = [];

  constructor(size: number) {
    this.slot = new Int32Array(size).fill(-1);
  }

  add(global: number): number {
    let s = this.slot[global];
    if (s < 0) {
      s = this.list.length;
      this.slot[global] = s;
      this.list.push(global);
    }
    return s;
  }

  get(global: number): number {
    return this.slot[global];
  }

  /** Clears only the touched entries: O(list), not O(N). */
  clear(): void {
    for (const g of this.list) this.slot[g] = -1;
    this.list.length = 0;
  }

  toArray(): Int32Array {
    return Int32Array.from(this.list);
  }
}

interface Scratch {
  readonly items: LocalIndex;
  readonly neighbours: LocalIndex;
  readonly columns: LocalIndex;
}

/** What the forward pass needs for a batch of users scored against shared columns. */
interface Layout {
  readonly batch: Int32Array;
  /** Items encoded this step (global), in local order. */
  readonly items: Int32Array;
  /** Per kind: the W1 rows gathered (global) and the plan summing them into the local items. */
  readonly encode: ReadonlyArray<{ readonly rows: Int32Array; readonly plan: SegmentPlan; readonly scale: Float32Array | null }>;
  /**
   * The kernel's rows. Sampled mode: one row per (user, key), summed into the user's row by
   * `keyUsers` with `keyWeights`. Exact mode (catalogue small by construction): one row per
   * distinct key item of the batch, mixed into users by the dense B x keys weights `keyMatrix`,
   * so that a popular item's kernel row is computed once per step, not once per buyer.
   */
  readonly keys: SegmentPlan;
  readonly keyUsers: SegmentPlan | null;
  readonly keyWeights: Float32Array;
  readonly keyMatrix: Float32Array | null;
  /** Shared columns: local items. */
  readonly columns: SegmentPlan;
  readonly numColumns: number;
  /** B x S additive constant: log-Q corrections and masks. */
  readonly columnLogits: Float32Array;
  /** Exact mode, B x S: the weight of each key at its own column, K(j, j) = 1 (subtracted: j is scored from R_u \ {j}). */
  readonly selfTerms: Float32Array | null;
  /** Exact mode: B x S, 1 where the column is a target of the user. */
  readonly columnTargets: Float32Array | null;
  /** Sampled mode: the keys x keys block, padded to L per user. */
  readonly block: { readonly length: number; readonly pad: SegmentPlan; readonly valid: Float32Array; readonly pairMask: Float32Array } | null;
  /** Number of targets per user (B). */
  readonly targetCounts: Float32Array;
}

interface Ctx {
  readonly model: EranModel;
  readonly data: GraphData;
  readonly settings: MixtureTrainerSettings;
  readonly params: Params;
  readonly scratch: Scratch;
  readonly n: number;
  readonly exact: boolean;
  /** Cumulative negative-sampling distribution (larger catalogues). */
  readonly cdf: Float64Array | null;
  /** Seconds spent per phase of the steps so far (for benchmarks). */
  readonly timings: Record<'layout' | 'gather' | 'gradients' | 'update', number>;
  readonly q: Float64Array | null;
}

function buildEncode(ctx: Ctx, items: Int32Array, sample: { readonly neighbours: number; readonly rng: Rng } | null): Layout['encode'] {
  const { neighbours } = ctx.scratch;
  const cap = sample?.neighbours ?? Infinity;
  return ctx.data.networks.map((net) => {
    neighbours.clear();
    let nnz = 0;
    let capped = false;
    for (const i of items) {
      const degree = net.indptr[i + 1] - net.indptr[i];
      nnz += Math.min(degree, cap);
      capped ||= degree > cap;
    }
    const cols = new Int32Array(nnz);
    const rows = new Int32Array(nnz);
    const scale = capped ? new Float32Array(items.length).fill(1) : null;
    let e = 0;
    items.forEach((i, r) => {
      const start = net.indptr[i];
      const degree = net.indptr[i + 1] - start;
      if (degree > cap && sample) {
        for (const q of sample.rng.sampleDistinct(degree, cap)) {
          cols[e] = neighbours.add(net.indices[start + q]);
          rows[e] = r;
          e++;
        }
        scale![r] = degree / cap;
      } else {
        for (let p = start; p < start + degree; p++) {
          cols[e] = neighbours.add(net.indices[p]);
          rows[e] = r;
          e++;
        }
      }
    });
    const gathered = neighbours.toArray();
    return { rows: gathered, plan: segmentPlan(cols, rows, gathered.length, items.length), scale };
  });
}

function drawNegatives(ctx: Ctx, rng: Rng, draws: number): Map<number, number> {
  const cdf = ctx.cdf!;
  const total = cdf[cdf.length - 1];
  const counts = new Map<number, number>();
  for (let t = 0; t < draws; t++) {
    const r = rng.next() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    counts.set(lo, (counts.get(lo) ?? 0) + 1);
  }
  return counts;
}

/**
 * Which network links feed the first layer of the items a layout encodes: all of them, a fresh
 * sample of at most `neighbours` per item and kind (training on larger catalogues), or none (the
 * caller brings the items' codes, see `Leaves.codes`).
 */
type InputLinks = 'all' | 'none' | { readonly neighbours: number; readonly rng: Rng };

/**
 * The layout of one step (training: every visit's keys are its targets, weights 1) or of a
 * validation batch (keys = the whole history with recency weights, no targets).
 */
function buildLayout(
  ctx: Ctx,
  batch: Int32Array,
  keysOf: (u: number) => { items: Int32Array; weights: Float32Array },
  owned: (u: number) => Int32Array,
  columnsGlobal: Int32Array,
  columnAdjust: Float32Array,
  training: boolean,
  extraItems: Int32Array,
  inputs: InputLinks = 'all',
): Layout {
  const { items: local, columns: colIndex } = ctx.scratch;
  local.clear();
  colIndex.clear();
  const b = batch.length;
  const s = columnsGlobal.length;
  columnsGlobal.forEach((x) => colIndex.add(x));
  const visits = Array.from(batch, (u) => keysOf(u));
  const keyLocal: number[] = [];
  const keyUser: number[] = [];
  const keyWeight: number[] = [];
  const targetCounts = new Float32Array(b);
  visits.forEach((v, r) => {
    v.items.forEach((x, q) => {
      keyLocal.push(local.add(x));
      keyUser.push(r);
      keyWeight.push(v.weights[q]);
    });
    targetCounts[r] = training ? v.items.length : 0;
  });
  const colLocal = Int32Array.from(columnsGlobal, (x) => local.add(x));
  for (const x of extraItems) local.add(x);
  const items = local.toArray();

  const columnLogits = new Float32Array(b * s);
  for (let r = 0; r < b; r++) columnLogits.set(columnAdjust, r * s);
  let selfTerms: Float32Array | null = null;
  let columnTargets: Float32Array | null = null;
  if (ctx.exact) {
    // Every item is a column: the keys' own columns carry the self term K(j, j) = 1 (removed),
    // the targets are read from the columns, and purchases outside this visit are masked.
    selfTerms = new Float32Array(b * s);
    columnTargets = training ? new Float32Array(b * s) : null;
    visits.forEach((v, r) => {
      v.items.forEach((x, q) => {
        const c = colIndex.get(x);
        if (c < 0) return;
        selfTerms![r * s + c] = v.weights[q];
        if (columnTargets) columnTargets[r * s + c] = 1;
      });
      if (training) {
        const inVisit = new Set(v.items);
        for (const x of owned(batch[r])) if (!inVisit.has(x)) columnLogits[r * s + colIndex.get(x)] = MASKED;
      }
    });
  } else {
    // Sampled columns the user bought are not negatives for them.
    batch.forEach((u, r) => {
      for (const x of owned(u)) {
        const c = colIndex.get(x);
        if (c >= 0) columnLogits[r * s + c] = MASKED;
      }
    });
  }
  let block: Layout['block'] = null;
  if (!ctx.exact && training) {
    const length = Math.max(1, ...visits.map((v) => v.items.length));
    const pad = new Int32Array(b * length);
    const valid = new Float32Array(b * length);
    const pairMask = new Float32Array(b * length * length);
    let e = 0;
    visits.forEach((v, r) => {
      const m = v.items.length;
      for (let i = 0; i < m; i++) {
        pad[r * length + i] = keyLocal[e + i];
        valid[r * length + i] = 1;
        for (let j = 0; j < m; j++) if (i !== j) pairMask[(r * length + i) * length + j] = 1;
      }
      e += m;
    });
    block = { length, pad: gatherPlan(pad, items.length), valid, pairMask };
  }
  let keys: SegmentPlan;
  let keyUsers: SegmentPlan | null = null;
  let keyMatrix: Float32Array | null = null;
  if (ctx.exact) {
    const distinct = Array.from(new Set(keyLocal));
    const rowOf = new Map(distinct.map((l, i) => [l, i]));
    keyMatrix = new Float32Array(b * distinct.length);
    keyLocal.forEach((l, e) => {
      keyMatrix![keyUser[e] * distinct.length + rowOf.get(l)!] += keyWeight[e];
    });
    keys = gatherPlan(Int32Array.from(distinct), items.length);
  } else {
    keys = gatherPlan(Int32Array.from(keyLocal), items.length);
    keyUsers = segmentPlan(
      Int32Array.from(keyUser, (_, i) => i),
      Int32Array.from(keyUser),
      keyUser.length,
      b,
    );
  }
  return {
    batch,
    items,
    encode: inputs === 'none' ? [] : buildEncode(ctx, items, inputs === 'all' ? null : inputs),
    keys,
    keyUsers,
    keyWeights: Float32Array.from(keyWeight),
    keyMatrix,
    columns: gatherPlan(colLocal, items.length),
    numColumns: s,
    columnLogits,
    selfTerms,
    columnTargets,
    block,
    targetCounts,
  };
}

// ---------------------------------------------------------------------------------------------
// Forward pass (differentiable with respect to the gathered rows and the dense layers)
// ---------------------------------------------------------------------------------------------

interface Leaves {
  /** Per kind, the gathered first-layer rows of `layout.encode` (ignored when `codes` is given). */
  readonly input: tf.Tensor2D[];
  /** Per kind, the codes of `layout.items`, computed elsewhere (validation: every link, once per epoch). */
  readonly codes?: tf.Tensor2D[];
  readonly users: tf.Tensor2D;
  readonly bias: tf.Tensor2D | null;
  readonly embedding: tf.Tensor2D | null;
}

/** Scores of the batch users: columns (B x S) and, in sampled training, their targets (B x L). */
function forward(ctx: Ctx, layout: Layout, leaves: Leaves): { columns: tf.Tensor2D; block: tf.Tensor2D | null; codes: tf.Tensor2D[] } {
  const { model } = ctx;
  const tau = model.config.tau;
  const b = layout.batch.length;
  const s = layout.numColumns;
  const kinds = model.config.kinds.length;
  const codes = leaves.codes ?? layout.encode.map((enc, k) => encodeRowsWith(model, k, leaves.input[k], enc.plan, enc.scale));
  const z = leaves.users;
  const keyMatrix = layout.keyMatrix ? tf.tensor2d(layout.keyMatrix, [b, layout.keys.numSegments]) : null;
  const wKeys = keyMatrix ? null : tf.reshape(tf.tensor1d(layout.keyWeights), [layout.keyWeights.length, 1]);
  const colExps: tf.Tensor2D[] = [];
  const colMass: tf.Tensor2D[] = [];
  const blockExps: tf.Tensor2D[] = [];
  const blockMass: tf.Tensor2D[] = [];
  const block = layout.block;
  const selfTerms = layout.selfTerms ? tf.tensor2d(layout.selfTerms, [b, s]) : null;
  codes.forEach((code) => {
    const h = leaves.embedding ? (tf.add(code, leaves.embedding) as tf.Tensor2D) : code;
    const hKeys = gatherRows(h, layout.keys);
    const hCols = gatherRows(h, layout.columns);
    const sqKeys = tf.sum(tf.square(hKeys), 1, true);
    const sqCols = tf.reshape(tf.sum(tf.square(hCols), 1), [1, s]);
    const dist = tf.sub(tf.add(sqKeys, sqCols), tf.mul(matMulBT(hKeys, hCols), 2));
    const kernel = tf.exp(tf.mul(tf.relu(dist), -1 / tau)) as tf.Tensor2D;
    let mass = keyMatrix ? matMul(keyMatrix, kernel) : segmentSum(tf.mul(kernel, wKeys!) as tf.Tensor2D, layout.keyUsers!);
    if (selfTerms) mass = tf.sub(mass, selfTerms) as tf.Tensor2D;
    colMass.push(mass);
    colExps.push(tf.exp(matMulBT(z, gatherRows(code, layout.columns))) as tf.Tensor2D);
    if (block) {
      const l = block.length;
      const d = h.shape[1];
      const hPad = tf.reshape(gatherRows(h, block.pad), [b, l, d]) as tf.Tensor3D;
      const sq = tf.sum(tf.square(hPad), 2);
      const gram = batchedGram(hPad);
      const bDist = tf.sub(tf.add(tf.reshape(sq, [b, l, 1]), tf.reshape(sq, [b, 1, l])), tf.mul(gram, 2));
      const bKernel = tf.mul(tf.exp(tf.mul(tf.relu(bDist), -1 / tau)), tf.tensor3d(block.pairMask, [b, l, l]));
      blockMass.push(tf.sum(bKernel, 2) as tf.Tensor2D);
      const cPad = tf.reshape(gatherRows(code, block.pad), [b, l, d]);
      blockExps.push(tf.exp(tf.sum(tf.mul(cPad, tf.reshape(z, [b, 1, d])), 2)) as tf.Tensor2D);
    }
  });
  // Attention a~^k = softmax over kinds of code . z: the logits are small (sigmoid codes, small z),
  // so exp without a max shift is safe and needs only kernels whose gradients wasm has.
  const mixOf = (exps: tf.Tensor2D[], mass: tf.Tensor2D[]): tf.Tensor2D => {
    let total: tf.Tensor2D = exps[0];
    for (let k = 1; k < kinds; k++) total = tf.add(total, exps[k]) as tf.Tensor2D;
    let mix: tf.Tensor2D = tf.mul(exps[0], mass[0]) as tf.Tensor2D;
    for (let k = 1; k < kinds; k++) mix = tf.add(mix, tf.mul(exps[k], mass[k])) as tf.Tensor2D;
    return tf.div(mix, total) as tf.Tensor2D;
  };
  const scoreOf = (mix: tf.Tensor2D): tf.Tensor2D => tf.mul(tf.log(tf.add(tf.relu(mix), MIXTURE_EPSILON)), tau) as tf.Tensor2D;
  let columns = scoreOf(mixOf(colExps, colMass));
  let blockScores: tf.Tensor2D | null = block ? scoreOf(mixOf(blockExps, blockMass)) : null;
  if (leaves.bias) {
    columns = tf.add(columns, tf.reshape(gatherRows(leaves.bias, layout.columns), [1, s])) as tf.Tensor2D;
    if (block && blockScores) blockScores = tf.add(blockScores, tf.reshape(gatherRows(leaves.bias, block.pad), [b, block.length])) as tf.Tensor2D;
  }
  return { columns, block: blockScores, codes };
}

/** log sum exp over axis 1, with the max shift taken as a constant (no Max gradient needed). */
function logSumExpRows(x: tf.Tensor2D): tf.Tensor2D {
  const shift = tf.tidy(() => tf.max(x, 1, true));
  const constant = tf.tensor2d(shift.dataSync(), shift.shape as [number, number]);
  shift.dispose();
  return tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, constant)), 1, true)), constant) as tf.Tensor2D;
}

function rankLoss(layout: Layout, scores: { columns: tf.Tensor2D; block: tf.Tensor2D | null }): tf.Scalar {
  const b = layout.batch.length;
  const s = layout.numColumns;
  const adjusted = tf.add(scores.columns, tf.tensor2d(layout.columnLogits, [b, s])) as tf.Tensor2D;
  const counts = tf.tensor2d(layout.targetCounts, [b, 1]);
  if (layout.columnTargets) {
    const lse = logSumExpRows(adjusted);
    const targetSum = tf.sum(tf.mul(scores.columns, tf.tensor2d(layout.columnTargets, [b, s])));
    return tf.div(tf.sub(tf.sum(tf.mul(lse, counts)), targetSum), b) as tf.Scalar;
  }
  const block = layout.block!;
  const valid = tf.tensor2d(block.valid, [b, block.length]);
  const blockLogits = tf.add(scores.block!, tf.mul(tf.sub(1, valid), MASKED));
  const lse = logSumExpRows(tf.concat([blockLogits, adjusted], 1) as tf.Tensor2D);
  const targetSum = tf.sum(tf.mul(scores.block!, valid));
  return tf.div(tf.sub(tf.sum(tf.mul(lse, counts)), targetSum), b) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// Reconstruction (eq. 3) over gathered output rows
// ---------------------------------------------------------------------------------------------

interface ReconPlan {
  /** Local rows (in the step's items) that are reconstructed. */
  readonly rows: SegmentPlan;
  readonly count: number;
  /**
   * Per kind: output rows gathered (global ids; the sampled columns first, in their order, so that
   * the first `numSampled` gathered rows ARE the sampled columns), non-zeros.
   */
  readonly kinds: ReadonlyArray<{
    readonly gathered: Int32Array;
    readonly numSampled: number;
    readonly zeroMask: Float32Array;
    readonly zeroWeight: number;
    readonly nzRows: Int32Array;
    readonly nzCols: Int32Array;
    readonly nzWeight: number;
    /** Sampled columns only (larger catalogues): 1 where the reconstructed row has a link. */
    readonly linkMask: Float32Array | null;
  }>;
}

function buildRecon(ctx: Ctx, layout: Layout, reconItems: Int32Array, rng: Rng): ReconPlan {
  const { model, n } = ctx;
  const cfg = model.config;
  const localOf = new Map<number, number>();
  layout.items.forEach((x, i) => localOf.set(x, i));
  const rows = Int32Array.from(reconItems, (x) => localOf.get(x)!);
  const u = reconItems.length;
  const m = ctx.exact ? n : Math.min(n, cfg.sampledColumns);
  const kinds = ctx.data.networks.map((net) => {
    const cols = new LocalIndex(n);
    const sampled = m === n ? Int32Array.from({ length: n }, (_, i) => i) : rng.sampleDistinct(n, m);
    sampled.forEach((c) => cols.add(c));
    const zeroMask = new Float32Array(u * m).fill(1);
    reconItems.forEach((x, r) => {
      let p = net.indptr[x];
      const end = net.indptr[x + 1];
      for (let c = 0; c < m && p < end; c++) {
        while (p < end && net.indices[p] < sampled[c]) p++;
        if (p < end && net.indices[p] === sampled[c]) zeroMask[r * m + c] = 0;
      }
    });
    if (!ctx.exact) {
      // Larger catalogues: both parts of the loss over the same uniform sample of columns, each
      // entry weighted n / m. Why not every link exactly plus sampled zeros (as below): an output
      // row (column c of the decoder) is then pulled up whenever c is a link of a reconstructed
      // row, which for a well-connected column is most steps, and pushed down only in the ~m / n
      // steps that sample it. The lazy Adam normalises each update, so the counts decide, not
      // the n / m weight: at 25k items the decoder drifted to outputs near 1 everywhere, its loss
      // grew instead of falling and its gradient swamped the ranking loss (validation flat at the
      // first epoch's level). With one uniform sample a column's updates carry both signs at the
      // right rates; the estimate is unbiased, only noisier for the links.
      const linkMask = zeroMask.map((z) => 1 - z);
      return {
        gathered: cols.toArray(),
        numSampled: m,
        zeroMask,
        zeroWeight: n / m,
        nzRows: new Int32Array(0),
        nzCols: new Int32Array(0),
        nzWeight: n / m,
        linkMask,
      };
    }
    const nzR: number[] = [];
    const nzC: number[] = [];
    reconItems.forEach((x, r) => {
      for (let q = net.indptr[x]; q < net.indptr[x + 1]; q++) {
        nzR.push(r);
        nzC.push(net.indices[q]);
      }
    });
    let keep = nzR.map((_, i) => i);
    if (keep.length > cfg.sampledMaxNonzeros) keep = Array.from(rng.sampleDistinct(keep.length, cfg.sampledMaxNonzeros));
    const nzRows = Int32Array.from(keep, (i) => nzR[i]);
    const nzCols = Int32Array.from(keep, (i) => cols.add(nzC[i]));
    const gathered = cols.toArray();
    if (gathered.length !== m) throw new Error(`buildRecon: expected the ${m} sampled columns to cover every link, got ${gathered.length} columns`);
    return {
      gathered,
      numSampled: m,
      zeroMask,
      zeroWeight: n / m,
      nzRows,
      nzCols,
      nzWeight: nzR.length / Math.max(1, keep.length),
      linkMask: null,
    };
  });
  return { rows: gatherPlan(rows, layout.items.length), count: u, kinds };
}

function reconLoss(ctx: Ctx, plan: ReconPlan, codes: tf.Tensor2D[], outRows: tf.Tensor2D[], outBias: tf.Tensor2D[]): tf.Scalar {
  const beta2 = ctx.model.config.beta ** 2;
  let total: tf.Tensor = tf.scalar(0);
  plan.kinds.forEach((kp, k) => {
    const hidden = decodeHidden(ctx.model, k, gatherRows(codes[k], plan.rows));
    // The sampled columns are the first numSampled gathered rows (all of them: exact mode takes
    // every column, sampled mode only those), so no gather is needed.
    const w = outRows[k];
    const bias = tf.reshape(outBias[k], [kp.gathered.length]) as tf.Tensor1D;
    const sCols = tf.sigmoid(tf.add(matMulBT(hidden, w), bias));
    let term: tf.Tensor = tf.mul(tf.sum(tf.mul(tf.tensor2d(kp.zeroMask, [plan.count, kp.numSampled]), tf.square(sCols))), beta2 * kp.zeroWeight);
    if (kp.linkMask) {
      const links = tf.tensor2d(kp.linkMask, [plan.count, kp.numSampled]);
      term = tf.add(term, tf.mul(tf.sum(tf.mul(links, tf.square(tf.sub(1, sCols)))), kp.nzWeight));
    } else if (kp.nzRows.length > 0) {
      const sNz = tf.sigmoid(pairLogits(hidden, w, bias, kp.nzRows, kp.nzCols));
      term = tf.add(term, tf.mul(tf.sum(tf.square(tf.sub(1, sNz))), kp.nzWeight));
    }
    total = tf.add(total, term);
  });
  return tf.div(total, plan.count) as tf.Scalar;
}

// ---------------------------------------------------------------------------------------------
// One step
// ---------------------------------------------------------------------------------------------

interface Visit {
  readonly items: readonly Int32Array[];
}

function step(
  ctx: Ctx,
  visit: Visit,
  batch: Int32Array,
  adam: Adam,
  rowUpdates: { readonly adam: AdamSettings; readonly workers: RowWorkers },
  stepNo: number,
  rng: Rng,
): LossValues {
  const { model, settings, params, n } = ctx;
  const kinds = model.config.kinds.length;
  const keysCap = ctx.exact ? settings.keysPerUser : settings.sampledKeysPerUser;
  const keysOf = (u: number): { items: Int32Array; weights: Float32Array } => {
    const all = visit.items[u];
    const items = all.length <= keysCap ? all : Int32Array.from(rng.sampleDistinct(all.length, keysCap), (q) => all[q]);
    return { items, weights: new Float32Array(items.length).fill(1) };
  };
  let columns: Int32Array;
  let adjust: Float32Array;
  if (ctx.exact) {
    columns = Int32Array.from({ length: n }, (_, i) => i);
    adjust = new Float32Array(n);
  } else {
    const counts = drawNegatives(ctx, rng, settings.negatives);
    columns = Int32Array.from(counts.keys());
    adjust = Float32Array.from(columns, (x) => Math.log(counts.get(x)!) - Math.log(settings.negatives * ctx.q![x]));
  }
  let mark = performance.now();
  const lap = (phase: keyof Ctx['timings']): void => {
    const now = performance.now();
    ctx.timings[phase] += (now - mark) / 1000;
    mark = now;
  };
  const withRecon = model.hasDecoder && settings.reconWeight > 0 && settings.reconRows > 0;
  const reconItems = withRecon ? rng.sampleDistinct(n, Math.min(n, settings.reconRows)) : new Int32Array(0);
  const layout = buildLayout(
    ctx,
    batch,
    keysOf,
    (u) => visit.items[u],
    columns,
    adjust,
    true,
    reconItems,
    ctx.exact ? 'all' : { neighbours: settings.inputNeighbours, rng },
  );
  const recon = withRecon ? buildRecon(ctx, layout, reconItems, rng) : null;
  lap('layout');

  // Leaves: the gathered rows, as variables so that variableGrads differentiates them.
  const inputRows = layout.encode.map((e) => e.rows);
  const leafOf = (t: tf.Tensor2D): tf.Variable<tf.Rank.R2> => {
    const v = tf.variable(t, true) as tf.Variable<tf.Rank.R2>;
    t.dispose();
    return v;
  };
  const input = params.input.map((table, k) => leafOf(table.gather(inputRows[k])));
  const users = leafOf(params.users.gather(batch));
  const bias = params.bias ? leafOf(params.bias.gather(layout.items)) : null;
  const embedding = params.embedding ? leafOf(params.embedding.gather(layout.items)) : null;
  const outRows = recon ? recon.kinds.map((kp, k) => leafOf(params.output[k]!.gather(kp.gathered))) : [];
  const outBias = recon ? recon.kinds.map((kp, k) => leafOf(params.outputBias[k]!.gather(kp.gathered))) : [];
  const leaves = [...input, users, ...(bias ? [bias] : []), ...(embedding ? [embedding] : []), ...outRows, ...outBias];
  lap('gather');

  let rankValue = 0;
  let netValue = 0;
  const { value, grads } = tf.variableGrads(() => {
    const scores = forward(ctx, layout, { input, users, bias, embedding });
    const rank = rankLoss(layout, scores);
    rankValue = rank.dataSync()[0];
    if (!recon) return rank;
    const net = reconLoss(ctx, recon, scores.codes, outRows, outBias);
    netValue = net.dataSync()[0] * settings.reconWeight;
    return tf.add(rank, tf.mul(net, settings.reconWeight)) as tf.Scalar;
  }, [...params.dense, ...leaves]);
  value.dispose();
  lap('gradients');

  const denseGrads: tf.NamedTensorMap = {};
  for (const v of params.dense) if (grads[v.name]) denseGrads[v.name] = grads[v.name];
  adam.apply(denseGrads);
  const applyRows = (table: RowTable | null, leaf: tf.Variable | null, rows: Int32Array): void => {
    if (!table || !leaf) return;
    const g = grads[leaf.name];
    if (g) {
      table.update(rows, g.dataSync() as Float32Array, rowUpdates.adam, stepNo, rowUpdates.workers);
      g.dispose();
    }
  };
  for (let k = 0; k < kinds; k++) applyRows(params.input[k], input[k], inputRows[k]);
  applyRows(params.users, users, batch);
  applyRows(params.bias, bias, layout.items);
  applyRows(params.embedding, embedding, layout.items);
  recon?.kinds.forEach((kp, k) => {
    applyRows(params.output[k], outRows[k], kp.gathered);
    applyRows(params.outputBias[k], outBias[k], kp.gathered);
  });
  leaves.forEach((l) => l.dispose());
  lap('update');
  return { net: netValue, rank: rankValue, total: rankValue + netValue };
}

// ---------------------------------------------------------------------------------------------
// Validation: held-out items ranked by the same forward pass (no tape), recency-weighted keys
// ---------------------------------------------------------------------------------------------

interface ValidationSet {
  readonly users: Int32Array;
  readonly heldOut: Int32Array;
  /** Per validation user: the candidate items (held-out item first) in sampled mode. */
  readonly negatives: Int32Array | null;
}

function validationSet(ctx: Ctx, heldOut: Int32Array, rng: Rng): ValidationSet {
  const eligible = Array.from(heldOut.keys()).filter((u) => heldOut[u] >= 0);
  const take = Math.min(eligible.length, ctx.settings.validationUsers);
  const users = take === eligible.length ? Int32Array.from(eligible) : Int32Array.from(rng.sampleDistinct(eligible.length, take), (i) => eligible[i]);
  const negatives = ctx.exact ? null : rng.sampleDistinct(ctx.n, Math.min(ctx.n, ctx.settings.validationNegatives + 1));
  return { users, heldOut, negatives };
}

function validationNdcg(ctx: Ctx, set: ValidationSet, items: readonly Int32Array[], weights: readonly Float32Array[], k = 10): number {
  const { params, settings, n, model } = ctx;
  if (set.users.length === 0) return 0;
  // Every item's code once, from every link (as serving computes them), instead of re-encoding
  // the shared columns and the keys in every batch: at 100k items a batch's items and their
  // neighbours cover most of the catalogue, so each batch gathered nearly all first-layer rows.
  syncModel(model, params);
  const itemCodes = computeItemCodes(model, ctx.data.networks);
  let sum = 0;
  const per = Math.max(1, Math.floor(settings.batchUsers / 2));
  for (let s0 = 0; s0 < set.users.length; s0 += per) {
    const batch = set.users.subarray(s0, s0 + per);
    // Columns: every item (exact), or the shared sampled items plus this batch's held-out items.
    const columns = ctx.exact
      ? Int32Array.from({ length: n }, (_, i) => i)
      : Int32Array.from(new Set([...Array.from(batch, (u) => set.heldOut[u]), ...set.negatives!]));
    const values = columnScores(
      ctx,
      batch,
      (u) => ({ items: items[u], weights: weights[u] }),
      (u) => items[u],
      columns,
      itemCodes,
    );
    const scores = values.dataSync();
    values.dispose();
    const s = columns.length;
    const colOf = new Map<number, number>();
    columns.forEach((x, c) => colOf.set(x, c));
    batch.forEach((u, r) => {
      const target = set.heldOut[u];
      const t = scores[r * s + colOf.get(target)!];
      const own = new Set(items[u]);
      let rank = 1;
      for (let c = 0; c < s; c++) {
        const x = columns[c];
        if (x !== target && !own.has(x) && scores[r * s + c] > t) rank++;
      }
      if (rank <= k) sum += 1 / Math.log2(rank + 1);
    });
  }
  return sum / set.users.length;
}

/**
 * The forward pass's column scores (B x S tensor, no tape) of `batch`: from precomputed item codes
 * (per kind N x d, row-major: computeItemCodes) when given, else through the first layer over every
 * network link, as a training step encodes.
 */
function columnScores(
  ctx: Ctx,
  batch: Int32Array,
  keysOf: (u: number) => { items: Int32Array; weights: Float32Array },
  owned: (u: number) => Int32Array,
  columns: Int32Array,
  itemCodes: readonly Float32Array[] | null,
): tf.Tensor2D {
  const { params, model } = ctx;
  const inputs = itemCodes ? 'none' : 'all';
  const layout = buildLayout(ctx, batch, keysOf, owned, columns, new Float32Array(columns.length), false, new Int32Array(0), inputs);
  return tf.tidy(() => {
    const leaves: Leaves = {
      input: itemCodes ? [] : params.input.map((t, k) => t.gather(layout.encode[k].rows)),
      codes: itemCodes?.map((table) => gatherCodes(table, model.dim, layout.items)),
      users: params.users.gather(batch),
      bias: params.bias ? params.bias.gather(layout.items) : null,
      embedding: params.embedding ? params.embedding.gather(layout.items) : null,
    };
    return forward(ctx, layout, leaves).columns;
  });
}

/** Rows `items` of a row-major (N x d) code table, as an (items x d) tensor. */
function gatherCodes(table: Float32Array, d: number, items: Int32Array): tf.Tensor2D {
  const out = new Float32Array(items.length * d);
  items.forEach((x, r) => out.set(table.subarray(x * d, (x + 1) * d), r * d));
  return tf.tensor2d(out, [items.length, d]);
}

/**
 * s(u, x) of `users` for the `columns` items, by the training forward pass (tfjs, no tape), with
 * the given histories and weights: B x S row-major. Used to check training against serving.
 * `inputs`: 'links' runs the first layer on the items' network links as a training step does
 * (all links), 'codes' takes the items' codes from computeItemCodes as validation does.
 */
export function mixtureColumnScores(
  model: EranModel,
  data: GraphData,
  users: Int32Array,
  histories: readonly Int32Array[],
  weights: readonly Float32Array[],
  columns: Int32Array,
  overrides: Partial<MixtureTrainerSettings> = {},
  inputs: 'links' | 'codes' = 'links',
): Float32Array {
  const ctx = makeContext(model, data, { ...MIXTURE_TRAINER_DEFAULTS, ...overrides });
  const byUser = new Map(Array.from(users, (u, r) => [u, r]));
  const keysOf = (u: number): { items: Int32Array; weights: Float32Array } => ({ items: histories[byUser.get(u)!], weights: weights[byUser.get(u)!] });
  const itemCodes = inputs === 'codes' ? computeItemCodes(model, data.networks) : null;
  const scores = columnScores(ctx, users, keysOf, () => new Int32Array(0), columns, itemCodes);
  const values = scores.dataSync().slice() as Float32Array;
  scores.dispose();
  return values;
}

// ---------------------------------------------------------------------------------------------
// Epoch loop
// ---------------------------------------------------------------------------------------------

interface PhaseResult {
  readonly epochs: EpochSummary[];
  readonly best: { epoch: number; value: number } | null;
  readonly stopReason: StopReason;
  readonly positivesSeen: number;
}

async function runPhase(
  ctx: Ctx,
  userItems: readonly Int32Array[],
  epochs: number,
  rng: Rng,
  options: TrainOptions,
  started: number,
  validate: ((epoch: number) => number | Promise<number>) | null,
  onProgress: ProgressCallback | undefined,
  epochOffset: number,
  totalEpochs: number,
): Promise<PhaseResult> {
  const { model, settings } = ctx;
  const adam = new Adam(ctx.params.dense, { learningRate: model.config.learningRate });
  const rowUpdates = { adam: { ...ADAM_DEFAULTS, learningRate: model.config.learningRate }, workers: new RowWorkers(settings.rowThreads) };
  const patience = options.patience ?? settings.patience;
  const active = Int32Array.from(Array.from(userItems.keys()).filter((u) => userItems[u].length >= 2));
  const stepsPerEpoch = Math.ceil(active.length / settings.batchUsers);
  const summaries: EpochSummary[] = [];
  let best: { epoch: number; value: number } | null = null;
  let sinceBest = 0;
  let stopReason: StopReason = 'epochs';
  let positivesSeen = 0;
  let stepNo = 0;
  const elapsed = (): number => (Date.now() - started) / 1000;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = Date.now();
      const order = Int32Array.from(active);
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      const sums = { net: 0, rank: 0, total: 0 };
      let steps = 0;
      let positives = 0;
      for (let s = 0; s < order.length; s += settings.batchUsers) {
        if (options.signal?.aborted) {
          stopReason = 'aborted';
          break;
        }
        if (options.maxSeconds !== undefined && elapsed() > options.maxSeconds) {
          stopReason = 'time';
          break;
        }
        const batch = order.slice(s, s + settings.batchUsers);
        stepNo++;
        const loss = step(ctx, { items: userItems }, batch, adam, rowUpdates, stepNo, rng);
        sums.net += loss.net;
        sums.rank += loss.rank;
        sums.total += loss.total;
        steps++;
        for (const u of batch) positives += Math.min(userItems[u].length, ctx.exact ? settings.keysPerUser : settings.sampledKeysPerUser);
        const done = (epochOffset + epoch - 1) * stepsPerEpoch + steps;
        const seconds = elapsed();
        onProgress?.({
          phase: 'step',
          epoch: epochOffset + epoch,
          step: steps,
          stepsPerEpoch,
          loss,
          tripletsPerSecond: (positivesSeen + positives) / Math.max(seconds, 1e-9),
          elapsedSeconds: seconds,
          etaSeconds: (seconds / done) * Math.max(0, totalEpochs * stepsPerEpoch - done),
        });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      positivesSeen += positives;
      if (steps === 0) break;
      const mean: LossValues = { net: sums.net / steps, rank: sums.rank / steps, total: sums.total / steps };
      const seconds = (Date.now() - epochStart) / 1000;
      const validation = validate ? await validate(epoch) : undefined;
      if (validation !== undefined) {
        if (best === null || validation > best.value + (options.minDelta ?? 0)) {
          best = { epoch, value: validation };
          sinceBest = 0;
        } else {
          sinceBest++;
        }
      }
      summaries.push({
        epoch: epochOffset + epoch,
        loss: mean,
        seconds,
        complete: steps === stepsPerEpoch,
        tripletsPerSecond: positives / Math.max(seconds, 1e-9),
        validation,
      });
      onProgress?.({
        phase: 'epoch',
        epoch: epochOffset + epoch,
        step: steps,
        stepsPerEpoch,
        loss: mean,
        tripletsPerSecond: positivesSeen / Math.max(elapsed(), 1e-9),
        elapsedSeconds: elapsed(),
        etaSeconds: 0,
        validation,
        bestValidation: best?.value,
      });
      if (stopReason !== 'epochs') break;
      if (validate && sinceBest >= patience) {
        stopReason = 'patience';
        break;
      }
    }
  } finally {
    adam.dispose();
    await rowUpdates.workers.close();
  }
  return { epochs: summaries, best, stopReason, positivesSeen };
}

function trainResult(
  ctx: Ctx,
  started: number,
  phases: readonly PhaseResult[],
  fields: Pick<TrainResult, 'bestEpoch' | 'bestValidation' | 'restoredBest' | 'stopReason'>,
): TrainResult {
  const seconds = (Date.now() - started) / 1000;
  const positives = phases.reduce((a, ph) => a + ph.positivesSeen, 0);
  return {
    ...fields,
    epochs: phases.flatMap((ph) => ph.epochs),
    seconds,
    tripletsPerSecond: positives / Math.max(seconds, 1e-9),
    phaseSeconds: { ...ctx.timings },
  };
}

/**
 * Each user's latest positive (users with >= 3; seeded pick without times) held out of the
 * training items and times; -1 for users who keep everything.
 */
function holdOutLatest(data: GraphData, rng: Rng): { heldOut: Int32Array; items: Int32Array[]; times?: Float64Array[] } {
  const times = data.userItemTimes;
  const heldOut = new Int32Array(data.userItems.length).fill(-1);
  const picks = data.userItems.map((items, u) => (items.length < 3 ? -1 : latestIndex(times?.[u], items.length, () => rng.next())));
  const without = <T extends Int32Array | Float64Array>(values: T, q: number): T => (q < 0 ? values : (values.filter((_, i) => i !== q) as T));
  picks.forEach((q, u) => {
    if (q >= 0) heldOut[u] = data.userItems[u][q];
  });
  return {
    heldOut,
    items: data.userItems.map((items, u) => without(items, picks[u])),
    ...(times ? { times: times.map((t, u) => without(t, picks[u])) } : {}),
  };
}

function makeContext(model: EranModel, data: GraphData, settings: MixtureTrainerSettings): Ctx {
  const n = model.config.numItems;
  if (data.networks.length !== model.config.kinds.length) {
    throw new Error(`trainMixture: expected ${model.config.kinds.length} networks (${model.config.kinds.join(', ')}), got ${data.networks.length}`);
  }
  const exact = n <= settings.fullSoftmaxItems;
  let cdf: Float64Array | null = null;
  let q: Float64Array | null = null;
  if (!exact) {
    const popularity = new Float64Array(n);
    for (const items of data.userItems) for (const x of items) popularity[x]++;
    q = new Float64Array(n);
    cdf = new Float64Array(n);
    let total = 0;
    for (let x = 0; x < n; x++) {
      q[x] = Math.pow(popularity[x] + 1, NEGATIVE_POWER);
      total += q[x];
      cdf[x] = total;
    }
    for (let x = 0; x < n; x++) q[x] /= total;
  }
  return {
    model,
    data,
    settings,
    params: tablesOf(model),
    scratch: { items: new LocalIndex(n), neighbours: new LocalIndex(n), columns: new LocalIndex(n) },
    n,
    exact,
    cdf,
    q,
    timings: { layout: 0, gather: 0, gradients: 0, update: 0 },
  };
}

/**
 * Trains a `scoring: 'mixture'` model in place. With `options.validate` the caller's metric
 * drives early stopping (best weights restored); without it, the held-out-latest protocol above
 * picks the epoch count and the model is refitted on everything.
 */
export async function trainMixture(
  model: EranModel,
  data: GraphData,
  options: TrainOptions,
  onProgress?: ProgressCallback,
  overrides: Partial<MixtureTrainerSettings> = {},
): Promise<TrainResult> {
  const started = Date.now();
  const settings = { ...MIXTURE_TRAINER_DEFAULTS, ...overrides };
  const rng = new Rng(options.seed ?? model.config.seed);
  const ctx = makeContext(model, data, settings);
  const halfLife = model.config.recencyHalfLife;

  if (options.validate) {
    const validate = options.validate;
    let best: Snapshot | null = null;
    let bestEpoch = 0;
    let bestValue = -Infinity;
    try {
      const phase = await runPhase(
        ctx,
        data.userItems,
        options.epochs,
        rng,
        options,
        started,
        async (epoch) => {
          syncModel(model, ctx.params);
          const value = await validate(model, epoch);
          if (!Number.isFinite(value)) throw new Error(`validate: expected a finite metric, got ${value}`);
          if (value > bestValue) {
            if (best) disposeSnapshot(best);
            best = snapshot(ctx.params);
            bestEpoch = epoch;
            bestValue = value;
          }
          return value;
        },
        onProgress,
        0,
        options.epochs,
      );
      const restoreBest = (options.restoreBest ?? true) && best !== null && bestEpoch !== phase.epochs.length;
      if (restoreBest && best) restore(ctx.params, best);
      syncModel(model, ctx.params);
      return trainResult(ctx, started, [phase], {
        bestEpoch: phase.best?.epoch ?? null,
        bestValidation: phase.best?.value ?? null,
        restoredBest: restoreBest,
        stopReason: phase.stopReason,
      });
    } finally {
      if (best) disposeSnapshot(best);
    }
  }

  // Hold out each user's latest positive, pick the epoch count on it, refit on everything.
  const split = holdOutLatest(data, rng);
  const initial = snapshot(ctx.params);
  try {
    const weights = split.items.map((items, u) => recencyWeights(split.times?.[u], items.length, halfLife));
    const set = validationSet(ctx, split.heldOut, rng);
    const search = await runPhase(
      ctx,
      split.items,
      options.epochs,
      rng,
      options,
      started,
      () => validationNdcg(ctx, set, split.items, weights),
      onProgress,
      0,
      2 * options.epochs,
    );
    const best = { bestEpoch: search.best?.epoch ?? null, bestValidation: search.best?.value ?? null, restoredBest: false };
    if (search.stopReason === 'aborted' || search.stopReason === 'time') {
      syncModel(model, ctx.params);
      return trainResult(ctx, started, [search], { ...best, stopReason: search.stopReason });
    }
    const bestEpoch = search.best?.epoch ?? search.epochs.length;
    restore(ctx.params, initial);
    const refit = await runPhase(
      ctx,
      data.userItems,
      bestEpoch,
      rng,
      options,
      started,
      null,
      onProgress,
      search.epochs.length,
      search.epochs.length + bestEpoch,
    );
    syncModel(model, ctx.params);
    return trainResult(ctx, started, [search, refit], {
      ...best,
      bestEpoch,
      stopReason: refit.stopReason === 'epochs' ? search.stopReason : refit.stopReason,
    });
  } finally {
    disposeSnapshot(initial);
  }
}
