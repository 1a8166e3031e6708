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

export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS: Omit<AdamSettings, 'learningRate'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export class RowTable {
  private readonly m: Float32Array;
  private readonly v: Float32Array;

  constructor(
    readonly name: string,
    readonly rows: number,
    readonly cols: number,
    readonly values: Float32Array,
    readonly trainable: boolean,
  ) {
    if (values.length !== rows * cols) throw new Error(`RowTable ${name}: expected ${rows} x ${cols} values, got ${values.length}`);
    this.m = new Float32Array(values.length);
    this.v = new Float32Array(values.length);
  }

  /** A table holding a copy of a variable's values (a 1-D variable becomes one column). */
  static of(name: string, variable: tf.Variable): RowTable {
    const [rows, cols = 1] = variable.shape;
    return new RowTable(name, rows, cols, variable.dataSync().slice() as Float32Array, variable.trainable);
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

  /** One lazy Adam update of `rows` (distinct) from their gradient (rows.length x cols, row-major). */
  update(rows: Int32Array, grad: Float32Array, adam: AdamSettings, step: number): void {
    if (!this.trainable) return;
    const { cols, values, m, v } = this;
    if (grad.length !== rows.length * cols) throw new Error(`RowTable ${this.name}: expected a ${rows.length} x ${cols} gradient, got ${grad.length} values`);
    const { beta1, beta2, epsilon } = adam;
    // Hot loop (a step at 100k items updates tens of millions of entries): constants hoisted,
    // sqrt(v / c2) as sqrt(v) * (1 / sqrt(c2)), one running index per array.
    const lr = adam.learningRate / (1 - Math.pow(beta1, step));
    const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(beta2, step));
    const a1 = 1 - beta1;
    const a2 = 1 - beta2;
    for (let r = 0; r < rows.length; r++) {
      let i = rows[r] * cols;
      let gi = r * cols;
      const end = gi + cols;
      for (; gi < end; gi++, i++) {
        const g = grad[gi];
        const mi = beta1 * m[i] + a1 * g;
        const vi = beta2 * v[i] + a2 * g * g;
        m[i] = mi;
        v[i] = vi;
        values[i] -= (lr * mi) / (Math.sqrt(vi) * invSqrtC2 + epsilon);
      }
    }
  }

  /** Sets the values (e.g. back to an earlier snapshot) and forgets the moments. */
  reset(values: Float32Array): void {
    this.values.set(values);
    this.m.fill(0);
    this.v.fill(0);
  }

  /** Writes the values into a variable of the same size. */
  writeTo(variable: tf.Variable): void {
    tf.tidy(() => variable.assign(tf.tensor(this.values, variable.shape)));
  }
}
