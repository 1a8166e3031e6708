/**
 * Gradients of the kernels eRAN differentiates through.
 *
 * Why this file exists: the Node bundle of @tensorflow/tfjs-core (its `main`) registers no
 * gradients at all; the umbrella @tensorflow/tfjs package does that, and it is not a dependency.
 * Its ES-module gradient files cannot be loaded beside the CommonJS bundle without creating a
 * second engine. So we register the few we need (the same formulas as tfjs-core), and only where
 * none is registered already. SparseSegmentSum and MatMul need none: they run inside customGrad
 * ops (sparse-ops.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Registers the missing gradients; idempotent and cheap (a registry lookup per kernel). */
export function ensureGradients(): void {
  for (const config of GRADIENTS) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}

/** Sums dy over the axes along which `shape` was broadcast to dy's shape, then reshapes to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const out = dy.shape;
  const axes: number[] = [];
  const offset = out.length - shape.length;
  for (let i = 0; i < out.length; i++) {
    const inDim = i - offset >= 0 ? shape[i - offset] : 1;
    if (inDim === 1 && out[i] !== 1) axes.push(i);
    else if (i < offset) axes.push(i);
  }
  const reduced = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(reduced, shape);
}

function normalizeAxes(axis: unknown, rank: number): number[] {
  const list = axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(g, a.shape), b: () => unbroadcast(g, b.shape) };
    },
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(g, a.shape), b: () => unbroadcast(tf.neg(g), b.shape) };
    },
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(tf.mul(g, b), a.shape), b: () => unbroadcast(tf.mul(g, a), b.shape) };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const expanded = x.shape.slice();
      for (const a of normalizeAxes(attrs.axis, x.shape.length)) expanded[a] = 1;
      const g = dy as tf.Tensor;
      return { x: () => tf.mul(tf.reshape(g, expanded), tf.ones(x.shape)) };
    },
  },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.mul(x, 2)) };
    },
  },
  {
    kernelName: tf.Exp,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, y) };
    },
  },
  {
    kernelName: tf.Log,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.div(dy as tf.Tensor, x) };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      return { a: () => unbroadcast(tf.div(g, b), a.shape), b: () => unbroadcast(tf.neg(tf.div(tf.mul(g, a), tf.square(b))), b.shape) };
    },
  },
  {
    kernelName: tf.Neg,
    gradFunc: (dy) => ({ x: () => tf.neg(dy as tf.Tensor) }),
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.mul(y, tf.sub(1, y))) };
    },
  },
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved;
      return { x: () => tf.mul(tf.sub(1, tf.square(y)), dy as tf.Tensor) };
    },
  },
  {
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.step(x)) };
    },
  },
  {
    kernelName: tf.Softplus,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.mul(dy as tf.Tensor, tf.sigmoid(x)) };
    },
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved;
      const dim = attrs.dim as number;
      const dyTimesY = tf.mul(dy as tf.Tensor, y);
      return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y)) };
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return { x: () => tf.reshape(dy as tf.Tensor, x.shape) };
    },
  },
  {
    kernelName: tf.ExpandDims,
    inputsToSave: ['input'],
    gradFunc: (dy, saved) => {
      const [input] = saved;
      return { input: () => tf.reshape(dy as tf.Tensor, input.shape) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = normalizeAxes(attrs.axis, saved[0].shape.length)[0];
      const parts = tf.split(
        dy as tf.Tensor,
        saved.map((t) => t.shape[axis]),
        axis,
      );
      // Concat's inputs are named by position ('0', '1', ...).
      return Object.fromEntries(parts.map((t, i) => [String(i), () => t]));
    },
  },
];
