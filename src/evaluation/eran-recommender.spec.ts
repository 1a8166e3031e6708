/**
 * The eRAN harness adapter scores through the served model's scoring family: the exact path as the
 * model core does, the candidate path only on the items the API's candidate generator proposes.
 */
import { generateMovieWorld } from '../datasets/synthetic';
import { scoreUser } from '../model/scorer';
import { useTestBackend } from '../model/testing/use-test-backend';
import type { EranRecommender } from './eran-recommender';
import { eranPlusSpec } from './eran-specs';
import { indexItemAttributes } from './item-attributes';
import { buildLooSplit } from './split';
import { withAttributes } from './train-view';

describe('eran-plus in the harness, exact and candidate paths', () => {
  const world = generateMovieWorld({ seed: 8, users: 100, items: 400 });
  let model: EranRecommender;

  beforeAll(async () => {
    await useTestBackend();
    const split = buildLooSplit(world.interactions, { seed: 1 });
    const view = withAttributes(split.view, indexItemAttributes(world.attributes, split.itemIds));
    const spec = eranPlusSpec({
      epochs: 2,
      hidden: [16, 8],
      recencyHalfLife: 0,
      candidates: { recentPurchases: 3, codeNeighbours: 5, networkNeighbours: 2, popular: 10 },
    });
    model = spec.create(spec.defaults ?? {}) as EranRecommender;
    await model.fit(view, { seed: 1 });
  });

  it('scores exactly as the model core on the exact path, and only the proposed items on the candidate path', () => {
    const inspection = model.inspect()!;
    const served = model.withServingPath('candidates');
    for (const u of [0, 17, 55]) {
      const exact = model.scoreUser(u);
      const history = inspection.history(u);
      const core = scoreUser(inspection.embeddings, inspection.modelUser(u), history, {});
      const proposed = new Set(Array.from(model.candidatesOf(u), (g) => inspection.graphToView[g]!));
      expect(proposed.size).toBeGreaterThan(10);
      expect(proposed.size).toBeLessThan(exact.length / 2);
      const viaCandidates = served.scoreUser(u);
      exact.forEach((score, v) => {
        const g = inspection.viewToGraph[v]!;
        // No recency half-life: purchase times do not change the scores, the core needs none.
        if (g >= 0 && Number.isFinite(core[g]!)) expect(score).toBeCloseTo(core[g]!, 4);
        else expect(score).toBe(-Infinity);
        // The same rule; large batches run their products in float32 on the backend.
        if (proposed.has(v)) expect(viaCandidates[v]).toBeCloseTo(score, 4);
        else expect(viaCandidates[v]).toBe(-Infinity);
      });
    }
  });
});
