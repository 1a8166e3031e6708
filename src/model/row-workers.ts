/**
 * Lazy Adam row updates split across worker threads.
 *
 * Why: at 100k items one training step updates tens of millions of table entries (the first
 * layers' rows of every item a step touches and of their network neighbours), a plain JS loop that
 * took about a third of a step on one core while the other core sat idle (tfjs' kernels are not
 * running during the update). The tables live in SharedArrayBuffers (row-table.ts), so threads can
 * update disjoint row ranges of one call in place: the calling thread takes the first range, each
 * worker one of the others. Every entry is computed by the same arithmetic as on one thread, so
 * the result is bit-identical whatever the thread count.
 *
 * Hand-written on purpose: the step is synchronous code between tfjs calls, and the pools on npm
 * (piscina, workerpool) are promise-based job queues that copy or transfer each job's data; here a
 * call is one shared-memory handshake (Atomics.notify / Atomics.wait) and the only copy is the
 * workers' part of the gradient, which the backend hands over as an unshared array.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

export interface RowAdamStep {
  /** lr / (1 - beta1^t). */
  readonly lr: number;
  /** 1 / sqrt(1 - beta2^t). */
  readonly invSqrtC2: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** The shared arrays of one table, as registered with the workers. */
export interface SharedRows {
  readonly cols: number;
  readonly values: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/**
 * One lazy Adam update of `rows[from..to)` (distinct rows) from `grad` (rows.length x cols,
 * row-major; only the entries of that range are read). Kept as source text so that the calling
 * thread and the workers run the very same loop (a function's own `toString()` would carry a
 * coverage tool's or a transpiler's additions into the workers).
 */
const ADAM_ROW_RANGE_SOURCE = `function adamRowRange(t, rows, grad, from, to, s) {
  const cols = t.cols, values = t.values, m = t.m, v = t.v;
  const lr = s.lr, invSqrtC2 = s.invSqrtC2, beta1 = s.beta1, beta2 = s.beta2, epsilon = s.epsilon;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  for (let r = from; r < to; r++) {
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
}`;

// One source for both threads (see above), hence a Function built from the text.
export const adamRowRange = new Function(`return ${ADAM_ROW_RANGE_SOURCE}`)() as (
  table: SharedRows,
  rows: Int32Array,
  grad: Float32Array,
  from: number,
  to: number,
  step: RowAdamStep,
) => void;

/** Slots of the control block (Int32Array). */
const GENERATION = 0;
const PENDING = 1;
const STOP = 2;
const FAILED = 3;
const CONTROL_SLOTS = 4;
/** Slots of the job block (Float64Array). */
const JOB = { table: 0, rows: 1, scratch: 2, lr: 3, invSqrtC2: 4, beta1: 5, beta2: 6, epsilon: 7 } as const;
const JOB_SLOTS = 8;

/** Calls smaller than this many entries run on the calling thread (a handshake costs ~0.1 ms). */
export const PARALLEL_MIN_ENTRIES = 1 << 18;

/** What `threads: 0` means: the cores, at most 4 (the loop is memory-bound); the caller counts as one. */
export function defaultRowThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

type WorkerMessage =
  | { readonly kind: 'table'; readonly id: number; readonly table: SharedRows }
  | { readonly kind: 'scratch'; readonly id: number; readonly rows: Int32Array; readonly grad: Float32Array };

/**
 * A pool of `threads - 1` workers (none for 1 thread) for RowTable updates. Create one per
 * training run and `close()` it in a `finally`; the workers do not keep the process alive.
 */
export class RowWorkers {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly job = new Float64Array(new SharedArrayBuffer(JOB_SLOTS * 8));
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly tableIds = new WeakMap<SharedRows, number>();
  private nextTableId = 0;
  private scratch: { id: number; rows: Int32Array; grad: Float32Array } | null = null;
  private closed = false;

  private readonly total: number;

  /** `threads`: 0 = defaultRowThreads(). The workers start with the first call big enough to use them. */
  constructor(threads = 0) {
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`RowWorkers: expected a thread count >= 0, got ${threads}`);
    this.total = threads === 0 ? defaultRowThreads() : threads;
  }

  private start(): void {
    for (let slot = this.workers.length + 1; slot < this.total; slot++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // The generation as of now: a worker that starts after the first job was posted must still run it.
        workerData: { control: this.control, job: this.job, port: port2, slot, slots: this.total, generation: Atomics.load(this.control, GENERATION) },
        transferList: [port2],
      });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Threads an update uses, the caller included. */
  get threads(): number {
    return this.total;
  }

  /**
   * One lazy Adam update of `rows` (distinct) of `table` from `grad` (rows.length x cols). In place,
   * synchronous: when it returns every row is updated.
   */
  update(table: SharedRows, rows: Int32Array, grad: Float32Array, step: RowAdamStep): void {
    if (this.closed) throw new Error('RowWorkers: update after close()');
    const entries = rows.length * table.cols;
    if (this.total === 1 || entries < PARALLEL_MIN_ENTRIES) {
      adamRowRange(table, rows, grad, 0, rows.length, step);
      return;
    }
    if (this.workers.length === 0) this.start();
    const slots = this.total;
    const firstEnd = Math.floor(rows.length / slots);
    const scratch = this.scratchFor(rows.length, entries);
    scratch.rows.set(rows);
    // The workers' part of the gradient (rows firstEnd..end), at the same offsets.
    scratch.grad.set(grad.subarray(firstEnd * table.cols, entries), firstEnd * table.cols);
    const { job, control } = this;
    job[JOB.table] = this.tableId(table);
    job[JOB.rows] = rows.length;
    job[JOB.scratch] = scratch.id;
    job[JOB.lr] = step.lr;
    job[JOB.invSqrtC2] = step.invSqrtC2;
    job[JOB.beta1] = step.beta1;
    job[JOB.beta2] = step.beta2;
    job[JOB.epsilon] = step.epsilon;
    Atomics.store(control, FAILED, 0);
    Atomics.store(control, PENDING, this.workers.length);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    adamRowRange(table, rows, grad, 0, firstEnd, step);
    for (let left = Atomics.load(control, PENDING); left !== 0; left = Atomics.load(control, PENDING)) {
      Atomics.wait(control, PENDING, left);
    }
    if (Atomics.load(control, FAILED) !== 0) throw new Error('RowWorkers: a worker failed during a row update (see its stderr)');
  }

  /** Stops the workers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    this.ports.forEach((p) => p.close());
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private tableId(table: SharedRows): number {
    const known = this.tableIds.get(table);
    if (known !== undefined) return known;
    if (
      !(table.values.buffer instanceof SharedArrayBuffer) ||
      !(table.m.buffer instanceof SharedArrayBuffer) ||
      !(table.v.buffer instanceof SharedArrayBuffer)
    ) {
      throw new Error('RowWorkers: a table must hold its values and moments in SharedArrayBuffers');
    }
    const id = this.nextTableId++;
    this.tableIds.set(table, id);
    const shared: SharedRows = { cols: table.cols, values: table.values, m: table.m, v: table.v };
    this.post({ kind: 'table', id, table: shared });
    return id;
  }

  private scratchFor(rowCount: number, entries: number): { id: number; rows: Int32Array; grad: Float32Array } {
    const s = this.scratch;
    if (s !== null && s.rows.length >= rowCount && s.grad.length >= entries) return s;
    // Grown by half again, so that a run settles on a few sizes.
    const rows = new Int32Array(new SharedArrayBuffer(Math.ceil(rowCount * 1.5) * 4));
    const grad = new Float32Array(new SharedArrayBuffer(Math.ceil(entries * 1.5) * 4));
    const next = { id: (s?.id ?? 0) + 1, rows, grad };
    this.scratch = next;
    this.post({ kind: 'scratch', id: next.id, rows, grad });
    return next;
  }

  private post(message: WorkerMessage): void {
    for (const port of this.ports) port.postMessage(message);
  }
}

/**
 * The workers' loop (plain JS, run with `eval: true` so that it works the same under ts-node, jest
 * and the compiled build). A worker waits for a new generation, drains its port synchronously
 * until it knows the job's table and scratch (messages are posted before the generation moves),
 * updates its range of rows, and counts itself done.
 */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { control, job, port, slot, slots } = workerData;
let generation = workerData.generation;
const adamRowRange = ${ADAM_ROW_RANGE_SOURCE};
const tables = new Map();
let scratch = { id: 0, rows: null, grad: null };
function drain() {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const msg = m.message;
    if (msg.kind === 'table') tables.set(msg.id, msg.table);
    else if (msg.kind === 'scratch') scratch = msg;
  }
}
for (;;) {
  Atomics.wait(control, ${GENERATION}, generation);
  generation = Atomics.load(control, ${GENERATION});
  if (Atomics.load(control, ${STOP}) === 1) break;
  try {
    const tableId = job[${JOB.table}];
    const scratchId = job[${JOB.scratch}];
    drain();
    while (!tables.has(tableId) || scratch.id !== scratchId) drain();
    const count = job[${JOB.rows}];
    const from = Math.floor((count * slot) / slots);
    const to = Math.floor((count * (slot + 1)) / slots);
    adamRowRange(tables.get(tableId), scratch.rows, scratch.grad, from, to, {
      lr: job[${JOB.lr}], invSqrtC2: job[${JOB.invSqrtC2}], beta1: job[${JOB.beta1}], beta2: job[${JOB.beta2}], epsilon: job[${JOB.epsilon}],
    });
  } catch (error) {
    Atomics.store(control, ${FAILED}, 1);
    process.stderr.write('RowWorkers worker ' + slot + ': ' + (error && error.stack ? error.stack : String(error)) + '\\n');
  }
  if (Atomics.sub(control, ${PENDING}, 1) === 1) Atomics.notify(control, ${PENDING});
}
`;
