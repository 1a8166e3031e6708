/**
 * report.md in the paper's layout (Tables 2-3: models as rows, P@5/10/15 and nDCG@5/10/15
 * columns), plus full ranking, cold start, tuning, timings and splits, with SVG charts beside it.
 * Every cell is mean ± sd over seeds; the best mean of a column is bold, and a "≈" marks a model
 * whose difference from the best is smaller than the spread.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { renderAttentionStudy } from './attention-study';
import { writeFileAtomic } from '../common/write-file-atomic';
import { renderFaithfulness } from './faithfulness';
import type { ProtocolName } from './protocols';
import type { EvaluationResult, SummaryRow } from './run-evaluation';
import { formatSpread, type Spread, spreadOf, withinSpread } from './stats';
import { barPanelsSvg, lineChartSvg } from './svg-charts';

export interface ReportFile {
  readonly name: string;
  readonly content: string;
}

interface Column {
  readonly metric: string;
  readonly title: string;
}

const SAMPLED_COLUMNS: readonly Column[] = [
  { metric: 'p@5', title: 'P@5' },
  { metric: 'p@10', title: 'P@10' },
  { metric: 'p@15', title: 'P@15' },
  { metric: 'ndcg@5', title: 'nDCG@5' },
  { metric: 'ndcg@10', title: 'nDCG@10' },
  { metric: 'ndcg@15', title: 'nDCG@15' },
  { metric: 'hr@10', title: 'HR@10' },
];

const FULL_COLUMNS: readonly Column[] = [
  { metric: 'ndcg@5', title: 'nDCG@5' },
  { metric: 'ndcg@10', title: 'nDCG@10' },
  { metric: 'ndcg@15', title: 'nDCG@15' },
  { metric: 'ndcg@20', title: 'nDCG@20' },
  { metric: 'recall@5', title: 'R@5' },
  { metric: 'recall@10', title: 'R@10' },
  { metric: 'recall@15', title: 'R@15' },
  { metric: 'recall@20', title: 'R@20' },
  { metric: 'coverage@10', title: 'Cov@10' },
];

/** report.md and its charts, as file contents (pure: nothing is written). */
export function renderReport(result: EvaluationResult): ReportFile[] {
  const models = [...new Set(result.runs.map((r) => r.model))];
  const files: ReportFile[] = [];
  const md: string[] = [];
  const multiSeed = result.seeds.length > 1;
  md.push(`# Evaluation report: ${result.dataset}`, '');
  md.push(
    `Seeds ${result.seeds.join(', ')}; every cell is ${multiSeed ? 'mean ± sample sd over seeds' : 'a single seed (no spread)'}. ` +
      `**Bold**: best mean in the column. ≈: difference from the best is smaller than the spread (sd_best + sd_model), so not evidence of a difference.`,
    '',
  );
  md.push('| setting | value |', '| --- | --- |');
  for (const [k, v] of Object.entries(result.settings)) md.push(`| ${k} | ${v} |`);
  md.push(`| total time | ${result.totalSeconds.toFixed(1)} s |`, '');
  if (result.notes.length > 0) md.push('Notes:', ...result.notes.map((n) => `- ${n}`), '');
  md.push(...failureSection(result), ...budgetSection(result, models), '');
  const labels = rowLabels(result);

  if (result.protocols.includes('loo-sampled')) {
    md.push('## Leave-one-out, sampled negatives (paper Tables 2-3)', '');
    md.push(`Candidates: ${result.candidates['loo-sampled'] ?? 'n/a'}. With one relevant item, P@K = HR@K / K.`, '');
    md.push(...metricTable(result.summary, 'loo-sampled', models, SAMPLED_COLUMNS, labels), '');
    files.push({
      name: 'loo-sampled.svg',
      content: barPanelsSvg(
        { title: 'Leave-one-out, sampled negatives', panels: panels(result.summary, 'loo-sampled', models, ['p@10', 'ndcg@10', 'hr@10']) },
        models,
      ),
    });
    md.push('![sampled metrics](loo-sampled.svg)', '');
  }
  if (result.protocols.includes('loo-full')) {
    md.push('## Leave-one-out, full ranking', '');
    md.push(
      `Candidates: ${result.candidates['loo-full'] ?? 'n/a'}. With one held-out item Recall@K = HR@K. ` +
        "Cov@10: share of the catalogue in at least one user's top 10.",
      '',
    );
    md.push(...metricTable(result.summary, 'loo-full', models, FULL_COLUMNS, labels), '');
    files.push({
      name: 'loo-full.svg',
      content: barPanelsSvg(
        { title: 'Leave-one-out, full ranking', panels: panels(result.summary, 'loo-full', models, ['ndcg@10', 'recall@20', 'coverage@10']) },
        models,
      ),
    });
    md.push('![full-ranking metrics](loo-full.svg)', '');
  }
  const coldModels = models.filter((m) => result.summary.some((s) => s.model === m && s.protocol === 'cold-start'));
  if (result.protocols.includes('cold-start') && coldModels.length > 0) {
    const ks = [...new Set(result.summary.filter((s) => s.protocol === 'cold-start').map((s) => s.metric))].sort(byK);
    md.push('## Cold start (paper 5.2)', '');
    md.push(
      `Candidates: ${result.candidates['cold-start'] ?? 'n/a'}. Recall@K: share of an item's real buyers among its top-K users, averaged over items.`,
      '',
    );
    const split = result.splits[0]?.coldStart;
    if (split)
      md.push(`Held-out items drawn among ${split.candidateItems} qualifying items (seed ${result.splits[0].seed}); ${split.buyers} buyers in all.`, '');
    md.push(
      ...metricTable(
        result.summary,
        'cold-start',
        coldModels,
        ks.map((m) => ({ metric: m, title: m.replace('recall', 'R') })),
        labels,
      ),
      '',
    );
    files.push({
      name: 'cold-start.svg',
      content: lineChartSvg(
        {
          title: 'Cold-start items: recall of real buyers',
          xLabel: 'K (users ranked per item)',
          yLabel: 'Recall@K',
          series: coldModels.map((m) => ({
            label: m,
            points: ks.map((metric) => {
              const s = find(result.summary, m, 'cold-start', metric);
              return { x: kOf(metric), y: s?.mean ?? 0, sd: s?.sd ?? 0 };
            }),
          })),
        },
        models,
      ),
    });
    md.push('![cold-start recall](cold-start.svg)', '');
  }

  const curves = result.runs.filter((r) => r.seed === result.seeds[0] && r.training && r.training.length > 0);
  if (curves.length > 0) {
    md.push(`## Training loss (seed ${result.seeds[0]}, leave-one-out fits)`, '');
    md.push(
      'Mean loss per epoch relative to the first epoch (the models optimise different losses). eran-plus trains twice: ' +
        "a search with each user's latest training purchase held out (its validation nDCG@10 picks the epoch count), " +
        'then a refit on everything from the initial weights, so its curve restarts.',
      '',
    );
    files.push({
      name: 'training-loss.svg',
      content: lineChartSvg(
        {
          title: 'Training loss per epoch (relative to epoch 1)',
          xLabel: 'epoch',
          yLabel: 'loss / loss at epoch 1',
          series: curves.map((r) => ({
            label: r.model,
            points: r.training!.map((e) => ({ x: e.epoch, y: e.loss / (r.training![0]!.loss || 1) })),
          })),
        },
        models,
      ),
    });
    md.push('![training loss](training-loss.svg)', '');
  }

  if (result.attentionStudy?.length) {
    const study = renderAttentionStudy(result.attentionStudy, 'attention-study.svg');
    md.push(...study.markdown);
    files.push({ name: 'attention-study.svg', content: study.chart });
  }
  if (result.faithfulness?.length) md.push(...renderFaithfulness(result.faithfulness));

  md.push(...spreadSection(result, models), '');
  md.push(...tuningSection(result), '');
  md.push(...timingSection(result, models), '');
  md.push(...splitSection(result), '');
  files.unshift({ name: 'report.md', content: md.join('\n') });
  return files;
}

export async function writeReport(result: EvaluationResult, dir: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const files = [...renderReport(result), { name: 'results.json', content: JSON.stringify(result, null, 2) + '\n' }];
  for (const file of files) await writeFileAtomic(join(dir, file.name), file.content);
  return files.map((f) => join(dir, f.name));
}

function metricTable(
  summary: readonly SummaryRow[],
  protocol: ProtocolName,
  models: readonly string[],
  columns: readonly Column[],
  labels: ReadonlyMap<string, string> = new Map(),
): string[] {
  const present = models.filter((m) => summary.some((s) => s.model === m && s.protocol === protocol));
  const best = columns.map((c) => {
    let top: Spread | undefined;
    for (const m of present) {
      const s = find(summary, m, protocol, c.metric);
      if (s && (!top || s.mean > top.mean)) top = s;
    }
    return top;
  });
  const lines = [`| Model | ${columns.map((c) => c.title).join(' | ')} |`, `| --- |${columns.map(() => ' ---: |').join('')}`];
  for (const m of present) {
    const cells = columns.map((c, k) => {
      const s = find(summary, m, protocol, c.metric);
      if (!s) return '';
      const b = best[k]!;
      const text = formatSpread(s);
      if (s.mean === b.mean) return `**${text}**`;
      return withinSpread(s, b) ? `${text} ≈` : text;
    });
    lines.push(`| ${labels.get(m) ?? m} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function panels(summary: readonly SummaryRow[], protocol: ProtocolName, models: readonly string[], metrics: readonly string[]) {
  return metrics.map((metric) => ({
    title: metric,
    values: models
      .map((m) => ({ label: m, s: find(summary, m, protocol, metric) }))
      .filter((v): v is { label: string; s: Spread } => v.s !== undefined)
      .map((v) => ({ label: v.label, mean: v.s.mean, sd: v.s.sd })),
  }));
}

// Adjacent models (by mean) on the headline metrics whose gap is within the spread.
function spreadSection(result: EvaluationResult, models: readonly string[]): string[] {
  const headline: [ProtocolName, string][] = [
    ['loo-sampled', 'ndcg@10'],
    ['loo-sampled', 'p@10'],
    ['loo-full', 'ndcg@10'],
    ['loo-full', 'recall@20'],
    ['cold-start', 'recall@50'],
  ];
  const out = ['## Differences within the spread', ''];
  if (result.seeds.length < 2) return [...out, 'One seed: no spread, nothing can be flagged.'];
  let any = false;
  for (const [protocol, metric] of headline) {
    const ranked = models
      .map((m) => ({ m, s: find(result.summary, m, protocol, metric) }))
      .filter((v): v is { m: string; s: Spread } => v.s !== undefined)
      .sort((a, b) => b.s.mean - a.s.mean);
    for (let k = 0; k + 1 < ranked.length; k++) {
      const a = ranked[k];
      const b = ranked[k + 1];
      if (withinSpread(a.s, b.s)) {
        any = true;
        const wins = pairedWins(result, a.m, b.m, protocol, metric);
        out.push(
          `- ${protocol} ${metric}: ${a.m} ${a.s.mean.toFixed(4)} vs ${b.m} ${b.s.mean.toFixed(4)} ` +
            `(gap ${(a.s.mean - b.s.mean).toFixed(4)} < sd ${a.s.sd.toFixed(4)} + ${b.s.sd.toFixed(4)}): not resolved by ${result.seeds.length} seeds; ` +
            `${a.m} ahead on ${wins.ahead} of ${wins.seeds} seeds (same split per seed)`,
        );
      }
    }
  }
  if (!any) out.push('None: on the headline metrics every adjacent pair of models differs by more than their combined spread.');
  return out;
}

// Both models see the same split in a seed, so the per-seed sign of the gap is informative even
// when the unpaired spread is wide (e.g. cold start, where the 40 items change with the seed).
function pairedWins(result: EvaluationResult, a: string, b: string, protocol: ProtocolName, metric: string): { ahead: number; seeds: number } {
  let ahead = 0;
  let seeds = 0;
  for (const seed of result.seeds) {
    const value = (model: string): number | undefined =>
      result.runs.find((r) => r.seed === seed && r.model === model)?.results.find((p) => p.protocol === protocol)?.metrics[metric];
    const va = value(a);
    const vb = value(b);
    if (va === undefined || vb === undefined) continue;
    seeds++;
    if (va > vb) ahead++;
  }
  return { ahead, seeds };
}

// A capped model's rows (and those of its eq. 14 variants) carry the cap: they are quick rows.
function rowLabels(result: EvaluationResult): Map<string, string> {
  const labels = new Map<string, string>();
  const models = new Set(result.runs.map((r) => r.model));
  for (const b of result.budgets ?? []) {
    if (!b.cap) continue;
    for (const m of models) if (m === b.model || m.startsWith(`${b.model} `)) labels.set(m, `${m} (${b.cap})`);
  }
  return labels;
}

function failureSection(result: EvaluationResult): string[] {
  const failures = result.failures ?? [];
  if (failures.length === 0) return [];
  const out = ['## Failed runs', '', 'These models threw or their process died on a seed; their rows (if any) average the other seeds only.', ''];
  out.push('| seed | model | after | error |', '| ---: | --- | ---: | --- |');
  for (const f of failures) out.push(`| ${f.seed} | ${f.model} | ${f.seconds.toFixed(1)} s | ${f.error.replace(/\|/g, '\\|').replace(/\s+/g, ' ')} |`);
  return [...out, ''];
}

function budgetSection(result: EvaluationResult, models: readonly string[]): string[] {
  const budgets = result.budgets ?? [];
  if (budgets.length === 0) return [];
  const out = [
    '## Models and their budgets',
    '',
    'What each model was given. A row labelled with a cap is a quick row: its training may have been cut by the cap, so it need not show the model at its best. ' +
      'Fit: mean seconds of the leave-one-out fit over seeds; training ended: epochs trained and why, per seed (eRAN models).',
    '',
    '| Model | budget | fit (s) | training ended |',
    '| --- | --- | ---: | --- |',
  ];
  for (const b of budgets) {
    const runs = result.runs.filter((r) => r.model === b.model);
    const fit = runs.length ? spreadOf(runs.map((r) => r.fitSeconds)).mean.toFixed(1) : '—';
    const ended = runs
      .filter((r) => r.stopReason !== undefined || (r.training?.length ?? 0) > 0)
      .map((r) => `${r.seed}: ${r.training?.length ?? 0} epochs (${r.stopReason ?? '?'})`)
      .join('; ');
    const failed = (result.failures ?? []).filter((f) => f.model === b.model).map((f) => f.seed);
    const name = models.includes(b.model) || failed.length === 0 ? b.model : `${b.model} (no result)`;
    out.push(`| ${name} | ${b.budget} | ${fit} | ${ended || '—'}${failed.length ? `; failed on seed ${failed.join(', ')}` : ''} |`);
  }
  return out;
}

function tuningSection(result: EvaluationResult): string[] {
  const out = ['## Tuning', ''];
  if (result.tuning.length === 0) return [...out, 'No tuning (defaults and the first grid value were used).'];
  out.push(
    "Each tuned model's key hyper-parameter, at most 6 values, chosen per seed on a validation split cut from training data " +
      "(each user's latest training positive held out; for cold-start models, 40 further items held out). Validation score: mean over seeds " +
      '(over the seeds that tried the value, when a grid stops early after values without gain).',
    '',
  );
  out.push('| Model | parameter | criterion | values tried (validation score) | chosen per seed |', '| --- | --- | --- | --- | --- |');
  const byModel = new Map<string, (typeof result.tuning)[number][]>();
  for (const t of result.tuning) byModel.set(t.model, [...(byModel.get(t.model) ?? []), t]);
  for (const [model, list] of byModel) {
    const first = list[0];
    if (!first.param) {
      out.push(`| ${model} | none | — | — | — |`);
      continue;
    }
    const values = [...new Set(list.flatMap((t) => t.tried.map((c) => c.value)))];
    const tried = values
      .map((v) => {
        const scores = list.map((t) => t.tried.find((c) => c.value === v)?.score).filter((x): x is number => x !== undefined);
        return `${v} (${spreadOf(scores).mean.toFixed(4)}${scores.length < list.length ? `, ${scores.length} of ${list.length} seeds` : ''})`;
      })
      .join(', ');
    const chosen = list.map((t) => `${t.seed}: ${t.chosen[first.param!]}`).join('; ');
    out.push(`| ${model} | ${first.param} | ${first.criterion} | ${tried} | ${chosen} |`);
  }
  return out;
}

function timingSection(result: EvaluationResult, models: readonly string[]): string[] {
  const out = ['## Timings', '', 'Seconds per seed, mean over seeds (single-threaded Node).', ''];
  out.push('| Model | tuning | fit | fit (cold start) | evaluation |', '| --- | ---: | ---: | ---: | ---: |');
  for (const m of models) {
    const runs = result.runs.filter((r) => r.model === m);
    const mean = (xs: number[]): string => spreadOf(xs).mean.toFixed(2);
    const cold = runs.filter((r) => r.coldFitSeconds !== undefined).map((r) => r.coldFitSeconds!);
    out.push(
      `| ${m} | ${mean(runs.map((r) => r.tuneSeconds))} | ${mean(runs.map((r) => r.fitSeconds))} | ${cold.length ? mean(cold) : '—'} | ${mean(runs.map((r) => r.results.reduce((a, p) => a + p.seconds, 0)))} |`,
    );
  }
  return out;
}

function splitSection(result: EvaluationResult): string[] {
  const out = ['## Splits', ''];
  out.push('| seed | users in | eligible (tested) | dropped | items | train rows | train positives | target by timestamp | cold items |');
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of result.splits) {
    const l = s.loo;
    out.push(
      `| ${s.seed} | ${l.inputUsers} | ${l.testUsers} | ${l.droppedUsers} | ${l.items} | ${l.trainRows} | ${l.trainPositives} | ${l.heldOutByTimestamp} | ${s.coldStart?.items ?? '—'} |`,
    );
  }
  return out;
}

function find(summary: readonly SummaryRow[], model: string, protocol: ProtocolName, metric: string): Spread | undefined {
  return summary.find((s) => s.model === model && s.protocol === protocol && s.metric === metric)?.spread;
}

function kOf(metric: string): number {
  return Number(metric.slice(metric.indexOf('@') + 1));
}

function byK(a: string, b: string): number {
  return kOf(a) - kOf(b);
}
