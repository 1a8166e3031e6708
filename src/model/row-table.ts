/**
 * A parameter matrix with one row per item (or user), kept in JS memory during training, with
 * lazy Adam moments.
 *
 * Why: the catalogue-wide parameters (the autoencoders' N-wide first and output layers, the item
 * vectors e and biases b, the user vectors z) are linear in the catalogue, but a training step
 * touches only the rows of the items it scores and their neighbours. Holding them as tensors
 * makes every step pay for all N rows twice: a dense N-row gradient and a dense Adam update of
 * the parameters and both moments. Here a step gathers the rows it needs into small tensors,
 * differentiates with respect to those, and updates only those rows (TensorFlow's LazyAdam:
 * moments of untouched rows are left as they are; bias corrections use the global step). The
 * tables live outside the 32-bit wasm heap, so a 100k-item catalogue costs the heap nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamRowRange, type RowWorkers, type SharedRows } from './row-workers';

export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS: Omit<AdamSettings, 'learningRate'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export class RowTable implements SharedRows {
  /** The table's values, in shared memory (row-workers.ts updates rows in place from several threads). */
  readonly values: Float32Array;
  /** Adam's first and second moments, same layout. */
  readonly m: Float32Array;
  readonly v: Float32Array;

  /** `values` is copied (into shared memory). */
  constructor(
    readonly name: string,
    readonly rows: number,
    readonly cols: number,
    values: Float32Array,
    readonly trainable: boolean,
  ) {
    if (values.length !== rows * cols) throw new Error(`RowTable ${name}: expected ${rows} x ${cols} values, got ${values.length}`);
    this.values = sharedFloats(values.length);
    this.values.set(values);
    this.m = sharedFloats(values.length);
    this.v = sharedFloats(values.length);
  }

  /** A table holding a copy of a variable's values (a 1-D variable becomes one column). */
  static of(name: string, variable: tf.Variable): RowTable {
    const [rows, cols = 1] = variable.shape;
    return new RowTable(name, rows, cols, variable.dataSync() as Float32Array, variable.trainable);
  }

  /** The given rows as a (rows.length x cols) tensor. */
  gather(rows: Int32Array): tf.Tensor2D {
    const { cols, values } = this;
    const out = new Float32Array(rows.length * cols);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!(row >= 0 && row < this.rows)) throw new Error(`RowTable ${this.name}: expected row indexes in [0, ${this.rows}), got ${row}`);
      out.set(values.subarray(row * cols, (row + 1) * cols), r * cols);
    }
    return tf.tensor2d(out, [rows.length, cols]);
  }

  /**
   * One lazy Adam update of `rows` (distinct) from their gradient (rows.length x cols, row-major),
   * split across `workers` when given (the result is the same, bit for bit).
   */
  update(rows: Int32Array, grad: Float32Array, adam: AdamSettings, step: number, workers?: RowWorkers): void {
    if (!this.trainable) return;
    if (grad.length !== rows.length * this.cols) {
      throw new Error(`RowTable ${this.name}: expected a ${rows.length} x ${this.cols} gradient, got ${grad.length} values`);
    }
    // sqrt(v / c2) as sqrt(v) * (1 / sqrt(c2)): constants out of the hot loop.
    const adamStep = {
      lr: adam.learningRate / (1 - Math.pow(adam.beta1, step)),
      invSqrtC2: 1 / Math.sqrt(1 - Math.pow(adam.beta2, step)),
      beta1: adam.beta1,
      beta2: adam.beta2,
      epsilon: adam.epsilon,
    };
    if (workers) workers.update(this, rows, grad, adamStep);
    else adamRowRange(this, rows, grad, 0, rows.length, adamStep);
  }

  /** Sets the values (e.g. back to an earlier snapshot) and forgets the moments. */
  reset(values: Float32Array): void {
    this.values.set(values);
    this.m.fill(0);
    this.v.fill(0);
  }

  /**
   * Writes the values into a variable of the same size. A copy: a backend may keep the array it is
   * given until first use, and the table's own array changes with every update.
   */
  writeTo(variable: tf.Variable): void {
    tf.tidy(() => variable.assign(tf.tensor(this.values.slice(), variable.shape)));
  }
}

function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}
