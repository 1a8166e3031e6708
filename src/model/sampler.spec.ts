import { initBackend } from './backend';
import { Rng } from './rng';
import { TripletSampler, contains } from './sampler';
import { plantedGraph } from './testing/planted-graph';
import { buildEranFor, freezeEran } from './eran-model';
import { sampledRanking } from './validation';
import { useWasmBackend } from './testing/use-wasm';
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
  it('runs on wasm with SIMD and refuses a forced backend that is absent', async () => {
    const messages: string[] = [];
    const choice = await initBackend({ prefer: 'wasm', log: (m) => messages.push(m) });
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toMatch(/forced \(wasm\)/);
    expect(messages[0]).toMatch(/^tfjs backend wasm/);
    await expect(initBackend({ prefer: 'node' })).rejects.toThrow(/forced node could not start: @tensorflow\/tfjs-node not installed/);
    await expect(initBackend({ prefer: 'tpu' as 'wasm' })).rejects.toThrow(/expected one of auto, node-gpu, node, wasm, cpu, got tpu/);
    // `auto` skips the absent native packages and says why.
    const auto = await initBackend();
    expect(auto.name).toBe('wasm');
    expect(auto.reason).toMatch(/node-gpu unavailable.*node unavailable/);
  });
});

describe('sampledRanking (leave-one-out validation)', () => {
  it('scores a trained planted model far above chance', async () => {
    await useWasmBackend();
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
