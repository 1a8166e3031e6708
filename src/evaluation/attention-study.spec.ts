/**
 * The attention study: group selection and driver agreement as pure functions, then the whole
 * study on a small synthetic world with a cheap eran-plus (3 epochs, hidden [16, 8]).
 */
import { generateMovieWorld } from '../datasets/synthetic';
import { userAttentionProfile } from '../model/explain';
import { useTestBackend } from '../model/testing/use-test-backend';
import {
  type AttentionStudyResult,
  driverAgreement,
  renderAttentionStudy,
  restrictedToKinds,
  runAttentionStudy,
  selectAttentionGroups,
  withKinds,
} from './attention-study';
import { createEranRecommender, type EranHarnessOptions, type EranRecommender } from './eran-recommender';
import { eranPlusSpec } from './eran-specs';
import { indexItemAttributes } from './item-attributes';
import { ndcgAtK } from './metrics';
import { evaluateLooSampled, testUsers } from './protocols';
import { renderReport } from './report';
import { runEvaluation } from './run-evaluation';
import { buildLooSplit, type LooSplit } from './split';
import { type TrainView, withAttributes } from './train-view';

describe('selectAttentionGroups', () => {
  // 12 users, attention = a permutation of 0..11 / 11 (user 7 highest, user 2 lowest).
  const users = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const attention = [5, 9, 0, 3, 8, 1, 10, 11, 2, 7, 4, 6].map((x) => x / 11);
  const of = (u: number): number => attention[users.indexOf(u)];

  it('gives three disjoint groups of the asked size: the highest, the lowest, and a draw among the rest', () => {
    const g = selectAttentionGroups(users, attention, 3, 1);
    expect(g.size).toBe(3);
    expect(g.max).toEqual([17, 16, 11]);
    expect(g.min).toEqual([12, 15, 18]);
    expect(g.random).toHaveLength(3);
    expect(new Set([...g.max, ...g.min, ...g.random]).size).toBe(9);
    const maxLow = Math.min(...g.max.map(of));
    const minHigh = Math.max(...g.min.map(of));
    for (const u of g.random) {
      expect(of(u)).toBeLessThan(maxLow);
      expect(of(u)).toBeGreaterThan(minHigh);
    }
  });

  it('is reproducible per seed and draws differently for another seed', () => {
    expect(selectAttentionGroups(users, attention, 2, 1)).toEqual(selectAttentionGroups(users, attention, 2, 1));
    const draws = new Set([1, 2, 3, 4, 5, 6].map((s) => selectAttentionGroups(users, attention, 2, s).random.join(',')));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('does not depend on the input order, and breaks ties by user index', () => {
    const flat = users.map(() => 0.5);
    const g = selectAttentionGroups(users, flat, 2, 1);
    expect(g.max).toEqual([10, 11]);
    expect(g.min).toEqual([21, 20]);
    const reversed = selectAttentionGroups([...users].reverse(), [...attention].reverse(), 3, 1);
    const forward = selectAttentionGroups(users, attention, 3, 1);
    expect(reversed.max).toEqual(forward.max);
    expect(reversed.min).toEqual(forward.min);
  });

  it('shrinks the groups to a third of the users when there are too few', () => {
    const g = selectAttentionGroups(users, attention, 40, 1);
    expect(g.size).toBe(4);
    expect([g.max.length, g.min.length, g.random.length]).toEqual([4, 4, 4]);
    expect(new Set([...g.max, ...g.min, ...g.random]).size).toBe(12);
  });

  it('rejects mismatched lengths, repeated users and non-finite attention', () => {
    expect(() => selectAttentionGroups([1, 2], [0.1], 1, 1)).toThrow(/2 users but 1/);
    expect(() => selectAttentionGroups([1, 1, 2], [0.1, 0.2, 0.3], 1, 1)).toThrow(/distinct/);
    expect(() => selectAttentionGroups([1, 2, 3], [0.1, NaN, 0.3], 1, 1)).toThrow(/user 2 is NaN/);
  });
});

describe('driverAgreement', () => {
  it('counts top-attention kinds equal to the planted driver, overall and per driver, beside chance 1/K', () => {
    const kinds = ['actor', 'director', 'genre'];
    const profiles = [
      [0.5, 0.3, 0.2], // actor, driver actor: hit
      [0.2, 0.5, 0.3], // director, driver actor: miss
      [0.1, 0.6, 0.3], // director, driver director: hit
      [0.3, 0.3, 0.4], // genre, driver genre: hit
    ];
    const a = driverAgreement(kinds, profiles, ['actor', 'actor', 'director', 'genre']);
    expect(a.chance).toBeCloseTo(1 / 3);
    expect(a.users).toBe(4);
    expect(a.agreement).toBe(0.75);
    const actor = a.perDriver.find((p) => p.driver === 'actor')!;
    expect(actor.users).toBe(2);
    expect(actor.agreement).toBe(0.5);
    expect(actor.meanAttention.actor).toBeCloseTo(0.35);
    expect(a.perDriver.map((p) => p.driver)).toEqual(kinds);
  });
});

describe('attention study on a small synthetic world (eran-plus, 3 epochs, hidden [16, 8])', () => {
  let split: LooSplit;
  let view: TrainView;
  let full: EranRecommender;
  let result: AttentionStudyResult;
  const world = generateMovieWorld({ seed: 5, users: 120, items: 150 });
  const spec = eranPlusSpec({ epochs: 3, hidden: [16, 8] });

  beforeAll(async () => {
    await useTestBackend();
    split = buildLooSplit(world.interactions, { seed: 1 });
    view = withAttributes(split.view, indexItemAttributes(world.attributes, split.itemIds));
    full = spec.create(spec.defaults ?? {}) as EranRecommender;
    await full.fit(view, { seed: 1 });
    result = await runAttentionStudy({ split, view, full, create: () => spec.create(spec.defaults ?? {}), seed: 1 }, { groupSize: 15, drivers: world.drivers });
  });

  it('retrains without the actor network: the inspected model has the K - 1 other kinds', () => {
    expect(result.kinds).toEqual(['actor', 'director', 'genre']);
    expect(result.kindsWithout).toEqual(['director', 'genre']);
    expect(result.kind).toBe('actor');
  });

  it("forms disjoint groups of 15 ordered by the mean actor attention over each user's purchases", () => {
    const { Max, Min, Random } = result.members;
    expect([Max.length, Min.length, Random.length]).toEqual([15, 15, 15]);
    expect(new Set([...Max, ...Min, ...Random]).size).toBe(45);
    const inspection = full.inspect()!;
    const actor = (id: string): number => {
      const u = split.view.userIndex.get(id)!;
      return userAttentionProfile(inspection.embeddings, inspection.modelUser(u), inspection.history(u))[0].weight;
    };
    const lowestMax = Math.min(...Max.map(actor));
    const highestMin = Math.max(...Min.map(actor));
    for (const id of Random) {
      expect(actor(id)).toBeLessThanOrEqual(lowestMax);
      expect(actor(id)).toBeGreaterThanOrEqual(highestMin);
    }
    const [max, min, random] = result.groups;
    expect(max.meanAttention).toBeGreaterThan(random.meanAttention);
    expect(random.meanAttention).toBeGreaterThan(min.meanAttention);
  });

  it("reports each group's loo-sampled nDCG@10 from the protocol's ranks, with and without, and the drop", () => {
    const ranks = evaluateLooSampled(full, split).ranks!;
    const max = result.groups.find((g) => g.group === 'Max')!;
    const expected = result.members.Max.reduce((s, id) => s + ndcgAtK(ranks[split.view.userIndex.get(id)!], 10), 0) / 15;
    expect(max.ndcgWith).toBeCloseTo(expected, 12);
    const all = result.groups.find((g) => g.group === 'All')!;
    expect(all.users).toBe(testUsers(split).length);
    expect(all.ndcgWith).toBeCloseTo(evaluateLooSampled(full, split).metrics['ndcg@10'], 12);
    for (const g of result.groups) {
      expect(g.ndcgWith).toBeGreaterThanOrEqual(0);
      expect(g.ndcgWithout).toBeLessThanOrEqual(1);
      expect(g.drop).toBeCloseTo(g.ndcgWith - g.ndcgWithout, 12);
      if (g.ndcgWith > 0) expect(g.relativeDrop).toBeCloseTo(g.drop / g.ndcgWith, 12);
    }
  });

  it('compares the top-attention kind with the planted driver (above chance on this world)', () => {
    const d = result.drivers!;
    expect(d.users).toBe(result.profiledUsers);
    expect(d.perDriver.reduce((s, p) => s + p.users, 0)).toBe(d.users);
    expect(d.chance).toBeCloseTo(1 / 3);
    expect(d.agreement).toBeGreaterThan(d.chance);
  });

  it('renders a report section and an SVG chart', () => {
    const section = renderAttentionStudy([result]);
    const md = section.markdown.join('\n');
    expect(md).toContain('## Attention study (paper 5.3): without the actor network');
    expect(md).toMatch(/\| Max \| 15 \|/);
    expect(md).toContain('Top-attention kind vs planted driver');
    expect(section.chart.startsWith('<svg')).toBe(true);
    expect(section.chart).toContain('Random');
  });

  it('fitting on a view restricted to some kinds equals the harness option `kinds`', async () => {
    const options: EranHarnessOptions = {
      name: 'tiny',
      variant: 'eran',
      epochs: 2,
      hidden: [16, 8],
      batchSize: 256,
      scoring: 'kernel',
      rankLoss: 'user',
      itemEmbedding: true,
    };
    const byOption = createEranRecommender({ ...options, kinds: ['director', 'genre'] });
    await byOption.fit(view, { seed: 3 });
    const byView = restrictedToKinds(createEranRecommender(options), ['director', 'genre']);
    await byView.fit(view, { seed: 3 });
    expect(byView.inspect()!.embeddings.kinds).toEqual(['director', 'genre']);
    expect(Array.from(byView.inspect()!.embeddings.users)).toEqual(Array.from(byOption.inspect()!.embeddings.users));
    expect(Array.from(byView.scoreUser(0))).toEqual(Array.from(byOption.scoreUser(0)));
  });

  it('withKinds keeps only the named kinds and refuses unknown ones', () => {
    const v = withKinds(view, ['genre']);
    expect(v.attributes!.kinds).toEqual(['genre']);
    expect(v.attributes!.byKind.map((b) => b.kind)).toEqual(['genre']);
    expect(v.positives).toBe(view.positives);
    expect(() => withKinds(view, ['author'])).toThrow(/subset of actor, director, genre/);
    expect(() => withKinds(view, [])).toThrow(/non-empty/);
  });

  it('refuses a kind the model does not have', async () => {
    await expect(runAttentionStudy({ split, view, full, create: () => spec.create({}), seed: 1 }, { kind: 'author' })).rejects.toThrow(/no "author" network/);
  });
});

describe('runEvaluation with studies', () => {
  const world = generateMovieWorld({ seed: 5, users: 120, items: 150 });
  const spec = eranPlusSpec({ epochs: 2, hidden: [16, 8] });
  beforeAll(async () => {
    await useTestBackend();
  });

  it('runs both studies per seed on the evaluated model and puts them in the result and the report', async () => {
    const result = await runEvaluation({
      data: world,
      seeds: [1, 2],
      models: [spec],
      protocols: ['loo-sampled'],
      tune: false,
      studies: { spec, attention: { groupSize: 10, drivers: world.drivers }, faithfulness: { users: 20 } },
    });
    expect(result.attentionStudy!.map((r) => r.seed)).toEqual([1, 2]);
    expect(result.faithfulness!.map((r) => r.seed)).toEqual([1, 2]);
    expect(result.faithfulness![0].users).toBe(20);
    // The study reads the evaluated fit: its "with actor" nDCG over all users is the table's.
    const all = result.attentionStudy![0].groups.find((g) => g.group === 'All')!;
    expect(all.ndcgWith).toBeCloseTo(result.runs.find((r) => r.seed === 1)!.results[0].metrics['ndcg@10'], 12);
    const files = renderReport(result);
    const md = files.find((f) => f.name === 'report.md')!.content;
    expect(md).toContain('## Attention study (paper 5.3)');
    expect(md).toContain('## Explanation faithfulness');
    expect(files.some((f) => f.name === 'attention-study.svg')).toBe(true);
  });

  it('leaves a note instead of a study the data cannot support', async () => {
    const result = await runEvaluation({
      data: world,
      seeds: [1],
      models: [],
      protocols: ['loo-sampled'],
      tune: false,
      studies: { spec, attention: { kind: 'author' } },
    });
    expect(result.attentionStudy).toBeUndefined();
    expect(result.notes.join(' ')).toMatch(/attention study skipped: it needs the kind "author"/);
  });
});
