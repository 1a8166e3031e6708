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
    expect([...new Set(result.runs.map((r) => r.model))]).toEqual(['random', 'most-popular', 'most-active-users', 'item-knn', 'bpr-mf', 'ease', 'ease-recency', 'attribute-knn']);
    const ease = result.summary.find((s) => s.model === 'ease' && s.protocol === 'loo-sampled' && s.metric === 'ndcg@10')!;
    const random = result.summary.find((s) => s.model === 'random' && s.protocol === 'loo-sampled' && s.metric === 'ndcg@10')!;
    expect(ease.spread.n).toBe(2);
    expect(ease.spread.mean).toBeGreaterThan(random.spread.mean);
    expect(result.summary.some((s) => s.model === 'ease' && s.protocol === 'cold-start')).toBe(false);
    expect(result.summary.some((s) => s.model === 'attribute-knn' && s.protocol === 'cold-start' && s.metric === 'recall@100')).toBe(true);
    expect(result.candidates['loo-sampled']).toMatch(/^101 items per user/);
    for (const t of result.tuning.filter((x) => x.param)) expect(t.tried.length).toBeLessThanOrEqual(6);
    expect(events.some((e) => e.stage === 'tune')).toBe(true);

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
  });

  it('evaluating on the exported split reproduces identical metrics', async () => {
    const first = JSON.parse(await readFile(join(dir, 'report', 'results.json'), 'utf8')) as Awaited<ReturnType<typeof runEvaluation>>;
    const again = await runEvaluation({ ...common, data: world, splitDir: join(dir, 'split') });
    expect(again.summary).toEqual(first.summary);
    expect(again.tuning.map((t) => t.chosen)).toEqual(first.tuning.map((t) => t.chosen));
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
