/**
 * Explanation faithfulness on a small synthetic world: what is removed and rescored, and how the
 * anchor compares with a random purchase under kernel scoring (eran-plus) and under eq. 13 (eran).
 */
import { generateMovieWorld } from '../datasets/synthetic';
import { scoreUser } from '../model/scorer';
import { useTestBackend } from '../model/testing/use-test-backend';
import type { EranRecommender } from './eran-recommender';
import { eranPlusSpec, eranSpec } from './eran-specs';
import { type FaithfulnessRun, historyWithout, measureFaithfulness, median, renderFaithfulness, type RescoreEvent } from './faithfulness';
import { indexItemAttributes } from './item-attributes';
import { buildLooSplit, type LooSplit } from './split';
import { row, type TrainView, withAttributes } from './train-view';

describe('helpers', () => {
  it('historyWithout removes exactly the given item and keeps the order', () => {
    expect(Array.from(historyWithout(Int32Array.of(4, 9, 2, 7), 2))).toEqual([4, 9, 7]);
    expect(Array.from(historyWithout([4, 9], 5))).toEqual([4, 9]);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('faithfulness on a small synthetic world', () => {
  const world = generateMovieWorld({ seed: 5, users: 120, items: 150 });
  let split: LooSplit;
  let view: TrainView;

  beforeAll(async () => {
    await useTestBackend();
    split = buildLooSplit(world.interactions, { seed: 1 });
    view = withAttributes(split.view, indexItemAttributes(world.attributes, split.itemIds));
  });

  async function fitted(spec: ReturnType<typeof eranPlusSpec>): Promise<EranRecommender> {
    const model = spec.create(spec.defaults ?? {}) as EranRecommender;
    await model.fit(view, { seed: 1 });
    return model;
  }

  describe('kernel scoring (eran-plus, 3 epochs, hidden [16, 8])', () => {
    let model: EranRecommender;
    let run: FaithfulnessRun;
    const events: RescoreEvent[] = [];

    beforeAll(async () => {
      model = await fitted(eranPlusSpec({ epochs: 3, hidden: [16, 8] }));
      run = measureFaithfulness(model, split, view, { seed: 1, users: 40, onRescore: (e) => events.push(e) });
    });

    it('explains the top 10 of a full ranking over items the user has not interacted with, for the sampled users', () => {
      const s = run.summary;
      expect(s.users).toBe(40);
      expect(s.items).toBe(400);
      expect(new Set(run.records.map((r) => r.user)).size).toBe(40);
      const inspection = model.inspect()!;
      for (const r of run.records) {
        const seen = new Set(Array.from(row(view.interactions, r.user), (v) => inspection.viewToGraph[v]));
        expect(seen.has(r.item)).toBe(false);
        expect(Array.from(inspection.history(r.user))).not.toContain(r.item);
      }
      // Same seed, same sample and draws.
      expect(measureFaithfulness(model, split, view, { seed: 1, users: 40 }).records).toEqual(run.records);
    });

    it('removes exactly the anchor (which is in the history) and, separately, one other purchase', () => {
      expect(events).toHaveLength(2 * run.records.length);
      run.records.forEach((r, n) => {
        const [anchor, random] = [events[2 * n], events[2 * n + 1]];
        expect([anchor.role, random.role]).toEqual(['anchor', 'random']);
        expect(anchor.removed).toBe(r.anchor);
        expect(Array.from(anchor.history)).toContain(r.anchor);
        expect(Array.from(anchor.rescored)).not.toContain(r.anchor);
        expect(anchor.rescored.length).toBe(anchor.history.length - 1);
        expect(new Set(anchor.rescored)).toEqual(new Set(Array.from(anchor.history).filter((j) => j !== r.anchor)));
        expect(random.removed).toBe(r.random);
        expect(r.random).not.toBe(r.anchor);
        expect(Array.from(random.history)).toContain(r.random);
        expect(Array.from(random.rescored)).not.toContain(r.random);
        expect(random.rescored.length).toBe(random.history.length - 1);
      });
    });

    it("rescores with the user's learned embedding held fixed", () => {
      const inspection = model.inspect()!;
      const r = run.records[0];
      const user = inspection.modelUser(r.user);
      expect(typeof user).toBe('number');
      const history = inspection.history(r.user);
      const before = scoreUser(inspection.embeddings, user, history)[r.item];
      const after = scoreUser(inspection.embeddings, user, historyWithout(history, r.anchor))[r.item];
      expect(r.scoreDropAnchor).toBeCloseTo(before - after, 5);
    });

    it('removing the anchor lowers the score at least as often as, and never less than, removing a random purchase', () => {
      const s = run.summary;
      expect(s.anchor.lowered).toBeGreaterThanOrEqual(s.random.lowered);
      // The kernel score is a soft maximum over purchases and j* its largest term.
      for (const r of run.records) expect(r.scoreDropAnchor).toBeGreaterThanOrEqual(r.scoreDropRandom - 1e-4);
      expect(s.anchor.meanScoreDrop).toBeGreaterThan(s.random.meanScoreDrop);
      expect(s.anchor.meanRankDrop).toBeGreaterThanOrEqual(s.random.meanRankDrop);
    });

    it('renders a report section', () => {
      const md = renderFaithfulness([run.summary]).join('\n');
      expect(md).toContain('## Explanation faithfulness (not in the paper)');
      expect(md).toMatch(/\| anchor j\* \|/);
      expect(md).toMatch(/\| random other purchase \|/);
    });
  });

  it('under eq. 13 (eran, no item bias) removing any purchase raises the score: the comparison is read in ranks', async () => {
    const model = await fitted(eranSpec('eran', { epochs: 3, hidden: [16, 8], batchSize: 256, learningRate: 0.01 }));
    const { summary, records } = measureFaithfulness(model, split, view, { seed: 1, users: 30 });
    expect(records.length).toBeGreaterThan(0);
    expect(summary.anchor.lowered).toBe(0);
    expect(summary.random.lowered).toBe(0);
    for (const r of records) expect(Number.isInteger(r.rankDropAnchor) && Number.isInteger(r.rankDropRandom)).toBe(true);
  });
});
