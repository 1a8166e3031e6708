import { spawnSync } from 'node:child_process';
import { Rng } from './rng';
import { RowTable } from './row-table';
import { PARALLEL_MIN_ENTRIES, RowWorkers } from './row-workers';

const ADAM = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

function randomTable(name: string, rows: number, cols: number, rng: Rng): RowTable {
  return new RowTable(
    name,
    rows,
    cols,
    Float32Array.from({ length: rows * cols }, () => rng.next() - 0.5),
    true,
  );
}

function distinctRows(count: number, of: number, rng: Rng): Int32Array {
  return rng.sampleDistinct(of, count);
}

describe('RowWorkers (lazy Adam row updates on several threads)', () => {
  // Big enough that every call is split (entries >= PARALLEL_MIN_ENTRIES), small enough for a unit test.
  const cols = 64;
  const rows = 8_000;
  const touched = Math.ceil(PARALLEL_MIN_ENTRIES / cols) + 1_000;

  it('gives bit-identical values and moments to one thread, over several tables, steps and sizes', async () => {
    const workers = new RowWorkers(3);
    try {
      const rng = new Rng(7);
      const single = [randomTable('a', rows, cols, new Rng(1)), randomTable('b', rows, cols, new Rng(2))];
      const split = [randomTable('a', rows, cols, new Rng(1)), randomTable('b', rows, cols, new Rng(2))];
      // Growing calls: the workers' scratch buffers are replaced while they run.
      for (let step = 1; step <= 4; step++) {
        for (let t = 0; t < single.length; t++) {
          const picked = distinctRows(touched + step * 500, rows, rng);
          const grad = Float32Array.from({ length: picked.length * cols }, () => rng.next() - 0.5);
          single[t].update(picked, grad, ADAM, step);
          split[t].update(picked, grad, ADAM, step, workers);
        }
      }
      expect(workers.threads).toBe(3);
      for (let t = 0; t < single.length; t++) {
        expect(Buffer.compare(Buffer.from(split[t].values.buffer), Buffer.from(single[t].values.buffer))).toBe(0);
        expect(Buffer.compare(Buffer.from(split[t].m.buffer), Buffer.from(single[t].m.buffer))).toBe(0);
        expect(Buffer.compare(Buffer.from(split[t].v.buffer), Buffer.from(single[t].v.buffer))).toBe(0);
      }
      // And the update did something: rows moved, untouched rows did not.
      const fresh = randomTable('a', rows, cols, new Rng(1));
      expect(Buffer.compare(Buffer.from(split[0].values.buffer), Buffer.from(fresh.values.buffer))).not.toBe(0);
    } finally {
      await workers.close();
    }
  });

  it('updates the rows of the workers\u2019 ranges (the last row of a call included), not only the caller\u2019s', async () => {
    const workers = new RowWorkers(2);
    try {
      const table = new RowTable('t', rows, cols, new Float32Array(rows * cols), true);
      const picked = Int32Array.from({ length: touched }, (_, i) => i);
      const grad = new Float32Array(touched * cols).fill(1);
      table.update(picked, grad, ADAM, 1, workers);
      // Adam's first step moves every touched entry by -lr (g = 1), and no other.
      const last = touched - 1;
      expect(table.values[0]).toBeCloseTo(-ADAM.learningRate, 6);
      expect(table.values[last * cols + cols - 1]).toBeCloseTo(-ADAM.learningRate, 6);
      expect(table.values[touched * cols]).toBe(0);
    } finally {
      await workers.close();
    }
  });

  it('refuses a table outside shared memory and an update after close()', async () => {
    const workers = new RowWorkers(2);
    const plain = { cols, values: new Float32Array(rows * cols), m: new Float32Array(rows * cols), v: new Float32Array(rows * cols) };
    const picked = Int32Array.from({ length: touched }, (_, i) => i);
    const step = { lr: 0.01, invSqrtC2: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    expect(() => workers.update(plain, picked, new Float32Array(touched * cols), step)).toThrow(/SharedArrayBuffer/);
    await workers.close();
    expect(() => workers.update(plain, picked, new Float32Array(touched * cols), step)).toThrow(/after close/);
  });

  it('does not keep a process alive that forgot to close it', () => {
    const script = `
      require('ts-node').register({ transpileOnly: true });
      const { RowTable } = require('./src/model/row-table');
      const { RowWorkers } = require('./src/model/row-workers');
      const w = new RowWorkers(2);
      const t = new RowTable('t', ${rows}, ${cols}, new Float32Array(${rows * cols}), true);
      t.update(Int32Array.from({ length: ${touched} }, (_, i) => i), new Float32Array(${touched * cols}).fill(1), ${JSON.stringify(ADAM)}, 1, w);
      console.log('updated', t.values[0].toFixed(3));
    `;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: `${__dirname}/../..`, timeout: 60_000, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('updated -0.010');
    expect(run.status).toBe(0);
  });
});
