/**
 * Adam (Kingma and Ba), the optimizer of the paper's eq. 12, updating one variable at a time.
 *
 * Why not tf.train.adam: it updates every variable inside a single tf.tidy, so the ~10
 * temporaries of every variable stay alive until the last one is done. With paper-sized
 * autoencoders that is 10x the parameter memory at once: on a 10k-item catalogue (61M
 * parameters) the wasm heap jumped from 1.4 to 4 GiB on the first step and the next step
 * aborted. Here each variable is updated in its own tidy, the moment estimates are allocated when
 * the optimizer is built (before any step's temporaries, which keeps the heap less fragmented),
 * and the bias corrections are plain numbers. Same update as tf.train.adam:
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
 *   w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  /** Default 1e-7, tfjs' default for Adam. */
  readonly epsilon?: number;
}

export class Adam {
  private readonly moments: Map<tf.Variable, { readonly m: tf.Variable; readonly v: tf.Variable }>;
  private step = 0;
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(
    private readonly variables: readonly tf.Variable[],
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    if (!(this.learningRate > 0)) throw new Error(`Adam learningRate: expected a positive number, got ${this.learningRate}`);
    this.moments = new Map(
      variables.map((v) => [v, { m: tf.tidy(() => tf.variable(tf.zerosLike(v), false)), v: tf.tidy(() => tf.variable(tf.zerosLike(v), false)) }]),
    );
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.step;
  }

  /**
   * One update from gradients keyed by variable name (as tf.variableGrads returns them). Each
   * gradient is disposed as soon as its variable is updated.
   */
  apply(grads: tf.NamedTensorMap): void {
    this.step++;
    const c1 = 1 - Math.pow(this.beta1, this.step);
    const c2 = 1 - Math.pow(this.beta2, this.step);
    for (const variable of this.variables) {
      const g = grads[variable.name];
      if (g === undefined) continue;
      const state = this.moments.get(variable);
      if (!state) throw new Error(`Adam: variable ${variable.name} was not given to the constructor`);
      tf.tidy(() => {
        const m = tf.add(tf.mul(state.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(state.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        state.m.assign(m);
        state.v.assign(v);
        const step = tf.div(tf.mul(m, this.learningRate / c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
        variable.assign(tf.sub(variable, step));
      });
      g.dispose();
    }
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
  }
}
