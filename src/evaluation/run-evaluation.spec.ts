import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMovieWorld, syntheticSource } from '../datasets/synthetic';
import { baselineSpecs } from './baselines/baseline-specs';
import { parseCsv } from './csv';
import { renderReport } from './report';
import { runEvaluation, type RunProgress } from './run-evaluation';
import { eranPlusSpec } from './eran-specs';
import { useTestBackend } from '../model/testing/use-test-backend';
import { createMostPopular } from './baselines/most-popular';
import { createRandomScores } from './baselines/random-scores';
import type { ModelSpec } from './tune';
import { failingModelSpec } from '../../test/fixtures/models/failing-model';

describe('runEvaluation', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eran-eval-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const world = generateMovieWorld({ seed: 3, users: 160, items: 240 });
  // The real grids, except BPR's epochs, which are cut so the test runs in seconds.
  const models = baselineSpecs().map((s) => (s.name === 'bpr-mf' ? { ...s, grid: { param: 'epochs', values: [5, 20] } } : s));
  const common = { seeds: [1, 2], coldStartItems: 15, coldStartMinBuyers: 3, models } as const;

  it('evaluates every baseline on every protocol it supports, writes the report, split and ranks', async () => {
    const events: RunProgress[] = [];
    const result = await runEvaluation({
      ...common,
      data: syntheticSource(world),
      outDir: join(dir, 'report'),
      exportSplitDir: join(dir, 'split'),
      ranksDir: join(dir, 'ranks'),
      onProgress: (e) => events.push(e),
    });
    expect([...new Set(result.runs.map((r) => r.model))]).toEqual([
      'random',
      'most-popular',
      'most-active-users',
      'item-knn',
      'bpr-mf',
      'ease',
      'ease-recency',
      'attribute-knn',
    ]);
    const ease = result.summary.find((s) => s.model === 'ease' && s.protocol === 'loo-sampled' && s.metric === 'ndcg@10')!;
    const random = result.summary.find((s) => s.model === 'random' && s.protocol === 'loo-sampled' && s.metric === 'ndcg@10')!;
    expect(ease.spread.n).toBe(2);
    expect(ease.spread.mean).toBeGreaterThan(random.spread.mean);
    expect(result.summary.some((s) => s.model === 'ease' && s.protocol === 'cold-start')).toBe(false);
    expect(result.summary.some((s) => s.model === 'attribute-knn' && s.protocol === 'cold-start' && s.metric === 'recall@100')).toBe(true);
    expect(result.candidates['loo-sampled']).toMatch(/^101 items per user/);
    for (const t of result.tuning.filter((x) => x.param)) expect(t.tried.length).toBeLessThanOrEqual(6);
    expect(events.some((e) => e.stage === 'tune')).toBe(true);
    // Progress totals: never done above total; a tuning bar starts at 0 of the grid size.
    for (const e of events) if (e.done !== undefined) expect(e.done).toBeLessThanOrEqual(e.total!);
    const knnTune = events.filter((e) => e.stage === 'tune' && e.model === 'item-knn' && e.seed === 1);
    expect(knnTune.map((e) => `${e.done}/${e.total}`)).toEqual(['0/6', '1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
    const units = events.filter((e) => e.stage === 'model').map((e) => e.units!);
    expect(units[0]).toEqual({ done: 0, total: 16 });
    expect(units[units.length - 1]).toEqual({ done: 15, total: 16 });

    const report = await readFile(join(dir, 'report', 'report.md'), 'utf8');
    expect(report).toContain('| Model | P@5 | P@10 | P@15 | nDCG@5 | nDCG@10 | nDCG@15 | HR@10 |');
    expect(report).toContain('## Leave-one-out, full ranking');
    expect(report).toContain('## Cold start');
    for (const svg of ['loo-sampled.svg', 'loo-full.svg', 'cold-start.svg']) {
      const content = await readFile(join(dir, 'report', svg), 'utf8');
      expect(content.startsWith('<svg')).toBe(true);
      expect(content.trim().endsWith('</svg>')).toBe(true);
    }
    expect((await readdir(join(dir, 'split'))).sort()).toEqual(['seed-1', 'seed-2']);
    const ranks = parseCsv(await readFile(join(dir, 'ranks', 'ranks-loo-sampled-seed1.csv'), 'utf8'));
    expect(ranks.header).toEqual(['user', 'item', 'score', 'model', 'protocol']);
    const users = result.splits[0].loo.testUsers;
    const looModels = ['random', 'most-popular', 'item-knn', 'bpr-mf', 'ease', 'ease-recency', 'attribute-knn'];
    expect(ranks.rows.length).toBe(users * 101 * looModels.length);

    // Full ranking: each user's top 100 and the held-out item with its rank; nDCG@10 recomputed from them.
    const full = parseCsv(await readFile(join(dir, 'ranks', 'ranks-loo-full-seed1.csv'), 'utf8'));
    expect(full.header).toEqual(['user', 'item', 'score', 'rank', 'target', 'model', 'protocol']);
    for (const model of looModels) {
      const rows = full.rows.filter((r) => r[5] === model);
      const targets = rows.filter((r) => r[4] === '1');
      expect(targets.length).toBe(users);
      expect(rows.length).toBeGreaterThanOrEqual(users * 100);
      expect(rows.length).toBeLessThanOrEqual(users * 101);
      const ndcg = targets.reduce((s, r) => s + (Number(r[3]) <= 10 ? 1 / Math.log2(Number(r[3]) + 1) : 0), 0) / users;
      const reported = result.runs.find((r) => r.seed === 1 && r.model === model)!.results.find((p) => p.protocol === 'loo-full')!.metrics['ndcg@10']!;
      expect(ndcg).toBeCloseTo(reported, 10);
    }
    const cold = parseCsv(await readFile(join(dir, 'ranks', 'ranks-cold-start-seed1.csv'), 'utf8'));
    expect(new Set(cold.rows.map((r) => r[3]))).toEqual(new Set(['random', 'most-active-users', 'attribute-knn']));
    // Nothing temporary is left behind.
    for (const folder of ['ranks', 'report', 'split/seed-1']) {
      expect((await readdir(join(dir, folder))).filter((f) => f.endsWith('.tmp') || f.endsWith('.part'))).toEqual([]);
    }
  });

  it('evaluating on the exported split reproduces identical metrics', async () => {
    const first = JSON.parse(await readFile(join(dir, 'report', 'results.json'), 'utf8')) as Awaited<ReturnType<typeof runEvaluation>>;
    const again = await runEvaluation({ ...common, data: world, splitDir: join(dir, 'split') });
    expect(again.summary).toEqual(first.summary);
    expect(again.tuning.map((t) => t.chosen)).toEqual(first.tuning.map((t) => t.chosen));
  });

  it('reports a model that throws, or whose process aborts, as failed; the others finish and their rank files are whole', async () => {
    const rankDir = join(dir, 'ranks-failing');
    // Throws after 5 users: its rows already written must not reach the ranks file.
    const late: ModelSpec = {
      name: 'late-failure',
      create: () => {
        const inner = createMostPopular();
        let calls = 0;
        return {
          name: 'late-failure',
          fit: (view, o) => inner.fit(view, o),
          scoreUser: (u, c) => {
            if (++calls > 5) throw new Error('scoring broke at user 6');
            return inner.scoreUser(u, c);
          },
        };
      },
    };
    const result = await runEvaluation({
      seeds: [1],
      data: syntheticSource(world),
      protocols: ['loo-sampled', 'loo-full'],
      tune: false,
      ranksDir: rankDir,
      outDir: join(dir, 'report-failing'),
      models: [
        models.find((m) => m.name === 'most-popular')!,
        failingModelSpec({ name: 'aborts', failure: 'abort' }),
        failingModelSpec({ name: 'throws', failure: 'throw' }),
        late,
        models.find((m) => m.name === 'ease')!,
      ],
    });
    expect(result.failures.map((f) => f.model)).toEqual(['aborts', 'throws', 'late-failure']);
    expect(result.failures[0]!.error).toMatch(/process ended \(signal SIGABRT\)/);
    expect(result.failures[1]!.error).toBe('throws: fit failed on purpose');
    expect(result.failures[2]!.error).toBe('scoring broke at user 6');
    expect([...new Set(result.runs.map((r) => r.model))]).toEqual(['most-popular', 'ease']);
    const users = result.splits[0]!.loo.testUsers;
    const sampled = parseCsv(await readFile(join(rankDir, 'ranks-loo-sampled-seed1.csv'), 'utf8'));
    expect(new Set(sampled.rows.map((r) => r[3]))).toEqual(new Set(['most-popular', 'ease']));
    expect(sampled.rows.length).toBe(2 * users * 101);
    expect((await readdir(rankDir)).sort()).toEqual(['ranks-loo-full-seed1.csv', 'ranks-loo-sampled-seed1.csv']);
    const md = await readFile(join(dir, 'report-failing', 'report.md'), 'utf8');
    expect(md).toContain('## Failed runs');
    expect(md).toContain('| 1 | throws |');
    const json = JSON.parse(await readFile(join(dir, 'report-failing', 'results.json'), 'utf8')) as { failures: { model: string }[] };
    expect(json.failures.map((f) => f.model)).toEqual(['aborts', 'throws', 'late-failure']);
  }, 120_000);

  it('says why a model cannot run at a size instead of dying, and stops an increasing grid after `stopAfter` values without gain', async () => {
    const tooBig: ModelSpec = { ...models.find((m) => m.name === 'ease')!, capacity: () => 'too many items for this test' };
    // Popularity while the "epochs" are short, random beyond: 2 ties with 1 (no gain), 4 is worse, so the grid stops there.
    const lengthy: ModelSpec = {
      name: 'lengthy',
      create: (p) => (p.epochs! <= 2 ? createMostPopular() : createRandomScores()),
      grid: { param: 'epochs', values: [1, 2, 4, 8, 16, 32], stopAfter: 2 },
    };
    const result = await runEvaluation({ seeds: [1], data: syntheticSource(world), protocols: ['loo-sampled'], models: [tooBig, lengthy] });
    expect(result.notes.join(' ')).toMatch(/ease not run on seed 1: too many items for this test/);
    expect(result.runs.map((r) => r.model)).toEqual(['lengthy']);
    const tuned = result.tuning.find((t) => t.model === 'lengthy')!;
    expect(tuned.tried.map((c) => c.value)).toEqual([1, 2, 4]);
    expect(tuned.chosen.epochs).toBe(1);
    expect(result.budgets.find((b) => b.model === 'lengthy')!.budget).toMatch(/stops after 2 values without gain/);
  });

  it('renders one seed without spread marks, and skips attribute models without attributes', async () => {
    const result = await runEvaluation({
      seeds: [1],
      data: { interactions: world.interactions },
      protocols: ['loo-sampled'],
      tune: false,
    });
    expect(result.runs.map((r) => r.model)).not.toContain('attribute-knn');
    expect(result.notes.join(' ')).toMatch(/attribute-knn skipped/);
    const md = renderReport(result).find((f) => f.name === 'report.md')!.content;
    expect(md).toContain('One seed: no spread');
    expect(md).not.toContain('±');
  });

  it('reports every eq. 14 aggregate of an eRAN fit in the cold-start table, from the same fit, and its training curve', async () => {
    await useTestBackend();
    const result = await runEvaluation({
      seeds: [1],
      data: syntheticSource(world),
      protocols: ['loo-sampled', 'cold-start'],
      coldStartItems: 15,
      coldStartMinBuyers: 3,
      tune: false,
      models: [eranPlusSpec({ epochs: 2, hidden: [16, 8] })],
    });
    const names = result.runs.map((r) => r.model);
    expect(names).toEqual(['eran-plus', 'eran-plus eq14-min', 'eran-plus eq14-max', 'eran-plus eq14-mean']);
    const recall = (model: string): number =>
      result.runs.find((r) => r.model === model)!.results.find((x) => x.protocol === 'cold-start')!.metrics['recall@50']!;
    for (const name of names) expect(recall(name)).toBeGreaterThanOrEqual(0);
    // Different rules, different rankings: the variants are really scored, not copied.
    expect(new Set(names.map(recall)).size).toBeGreaterThan(1);
    const files = renderReport(result);
    const md = files.find((f) => f.name === 'report.md')!.content;
    expect(md).toContain('eran-plus eq14-max');
    const training = result.runs[0]!.training!;
    expect(training.length).toBeGreaterThan(0);
    expect(training.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(files.find((f) => f.name === 'training-loss.svg')!.content).toContain('<polyline');
  }, 60_000);
});
