import { initBackend } from './backend';
import { Rng } from './rng';
import { TripletSampler, contains } from './sampler';
import { plantedGraph } from './testing/planted-graph';
import { buildEranFor, freezeEran } from './eran-model';
import { sampledRanking } from './validation';
import { expectedTestBackendName, useTestBackend } from './testing/use-test-backend';
import { trainEran } from './trainer';

describe('TripletSampler', () => {
  const userItems = [Int32Array.of(0, 3, 5), Int32Array.of(1), Int32Array.of(2, 4), Int32Array.of(0, 1, 2, 3, 4, 6, 7, 8)];

  it('draws i, j in R_u with i != j and n outside R_u, visiting every anchor once per epoch', () => {
    const sampler = new TripletSampler(userItems, 10, new Rng(1));
    // User 1 has a single positive: no pair, so no anchor.
    expect(sampler.size).toBe(3 + 2 + 8);
    sampler.shuffle();
    const b = sampler.batch(0, sampler.size);
    const anchors = new Set<string>();
    for (let t = 0; t < sampler.size; t++) {
      const items = userItems[b.users[t]];
      expect(contains(items, b.anchors[t])).toBe(true);
      expect(contains(items, b.positives[t])).toBe(true);
      expect(b.positives[t]).not.toBe(b.anchors[t]);
      expect(contains(items, b.negatives[t])).toBe(false);
      anchors.add(`${b.users[t]}:${b.anchors[t]}`);
    }
    expect(anchors.size).toBe(sampler.size);
  });

  it('is seeded', () => {
    const draw = (seed: number): number[] => {
      const s = new TripletSampler(userItems, 10, new Rng(seed));
      s.shuffle();
      return Array.from(s.batch(0, 20).negatives);
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('rejects unsorted histories', () => {
    expect(() => new TripletSampler([Int32Array.of(3, 1)], 5, new Rng(1))).toThrow(/expected strictly ascending item indexes/);
  });
});

describe('backend selection', () => {
  it('runs on wasm with SIMD, refuses unknown names, and auto says why it skipped a backend', async () => {
    const messages: string[] = [];
    const choice = await initBackend({ prefer: 'wasm', log: (m) => messages.push(m) });
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toMatch(/forced \(wasm\)/);
    expect(messages[0]).toMatch(/^tfjs backend wasm/);
    await expect(initBackend({ prefer: 'tpu' as 'wasm' })).rejects.toThrow(/expected one of auto, tensorflow, node-gpu, node, wasm, cpu, got tpu/);
    // `tensorflow` (ERAN_TF_BACKEND's documented name) is either native package, never a fallback to wasm.
    const native = await initBackend({ prefer: 'tensorflow' }).catch((error: unknown) => error as Error);
    if (native instanceof Error) expect(native.message).toMatch(/forced tensorflow could not start: node-gpu unavailable \(.*\); node unavailable \(/);
    else expect(native.name).toBe('tensorflow');
    const auto = await initBackend();
    // The GPU package never has a binding on these machines; auto names it and moves on.
    expect(auto.reason).toMatch(/node-gpu unavailable \(@tensorflow\/tfjs-node-gpu (not installed|installed without its native binding)/);
    expect(['tensorflow', 'wasm']).toContain(auto.name);
    if (auto.name === 'wasm') expect(auto.reason).toMatch(/node unavailable/);
    await useTestBackend();
  });

  it('runs the backend the test project asks for (unit: wasm, unit-native: tensorflow)', async () => {
    const choice = await useTestBackend();
    expect(choice.name).toBe(expectedTestBackendName());
  });
});

describe('sampledRanking (leave-one-out validation)', () => {
  it('scores a trained planted model far above chance', async () => {
    await useTestBackend();
    const planted = plantedGraph({ numItems: 150, numUsers: 120, seed: 8, holdOut: true });
    const model = buildEranFor(planted.data, { hidden: [32, 8], batchSize: 256, learningRate: 0.01 });
    const before = sampledRanking(freezeEran(model, planted.data.networks), planted.data.userItems, planted.heldOut, { negatives: 50 });
    await trainEran(model, planted.data, { epochs: 15 });
    const after = sampledRanking(freezeEran(model, planted.data.networks), planted.data.userItems, planted.heldOut, { negatives: 50 });
    model.dispose();
    expect(after.users).toBe(120);
    // Chance for HR@10 with 50 negatives is 10/51.
    expect(after.hitRate).toBeGreaterThan(0.5);
    expect(after.ndcg).toBeGreaterThan(before.ndcg);
  });
});
