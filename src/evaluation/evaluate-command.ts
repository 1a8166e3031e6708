import { Command, InvalidArgumentError } from 'commander';
import { ConsoleProgress, formatSeconds } from '../common/logging/progress';
import { BACKEND_PREFERENCES, backendPreferenceNames, parseBackendPreference } from '../model/backend';
import { openDataset, DATASET_FORMATS, isDatasetFormat } from '../datasets/open-dataset';
import { generateMovieWorld, proportionalWorldOptions, syntheticSource } from '../datasets/synthetic';
import { DEFAULT_GROUP_SIZE, DEFAULT_STUDY_KIND } from './attention-study';
import { DEFAULT_FAITHFULNESS_USERS } from './faithfulness';
import { collectDataset } from '../datasets/collect-dataset';
import { baselineSpecs } from './baselines/baseline-specs';
import { ERAN_PLUS_DEFAULTS, eranConvergedSpec, eranKernelSpec, eranPlusSpec, eranSpecs } from './eran-specs';
import { PROTOCOLS, type ProtocolName } from './protocols';
import { runEvaluation, type EvaluationResult, type RunProgress } from './run-evaluation';
import { writeReport } from './report';
import type { ModelSpec } from './tune';

interface EvaluateCliOptions {
  format: string;
  path?: string;
  protocol: string;
  models?: string;
  seeds: number;
  exportSplit?: string;
  split?: string;
  exportRanks?: string;
  report?: string;
  tune: boolean;
  eranEpochs: number;
  eranMinutes: number;
  eranPlusMinutes: number;
  backend: string;
  isolate: boolean;
  syntheticUsers?: number;
  syntheticItems?: number;
  syntheticPurchases?: string;
  eranHidden?: string;
  eranLr?: number;
  eranRecon: 'exact' | 'sampled';
  eranItemBias: boolean;
  eranPlusEpochs?: number;
  eranPlusLr?: number;
  eranPlusTau?: number;
  eranPlusHidden?: string;
  eranPlusRecency?: number;
  eranKernelAlpha?: number;
  eranKernelPairs?: number;
  eranKernelBatch?: number;
  eranKernelKeys?: number;
  attentionStudy: boolean;
  faithfulness: boolean;
  studyModel: string;
  studyKind: string;
  studyGroupSize: number;
  faithfulnessUsers: number;
}

/** What a stage's progress counts. */
const STAGE_UNITS: Partial<Record<RunProgress['stage'], string>> = { tune: 'values', fit: 'steps', evaluate: 'users' };

/** Default caps: the quick eRAN rows of the default line-up, labelled with their cap in the report. */
export const DEFAULT_ERAN_MINUTES = 0.5;
export const DEFAULT_ERAN_PLUS_MINUTES = 2;

function syntheticOptions(o: EvaluateCliOptions): Parameters<typeof generateMovieWorld>[0] {
  if (o.syntheticUsers === undefined && o.syntheticItems === undefined && o.syntheticPurchases === undefined) return {};
  const purchases = o.syntheticPurchases?.split(',').map(Number);
  if (purchases && (purchases.length !== 2 || purchases.some((p) => !Number.isInteger(p) || p < 1) || purchases[0]! > purchases[1]!)) {
    throw new InvalidArgumentError(`--synthetic-purchases: expected min,max with 1 <= min <= max, got "${o.syntheticPurchases}"`);
  }
  return proportionalWorldOptions(o.syntheticUsers ?? 200, o.syntheticItems ?? 300, purchases ? [purchases[0]!, purchases[1]!] : undefined);
}

function positiveInt(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
}

/** `eran evaluate`: the paper's protocols plus full ranking, eRAN against tuned baselines. */
export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('evaluate eRAN and baselines: loo-sampled (101 candidates), loo-full, cold-start')
    .option('--format <format>', `dataset layout: ${DATASET_FORMATS.join(' | ')}`, 'synthetic')
    .option('--path <dir>', 'dataset folder')
    .option('--protocol <list>', `comma-separated: ${PROTOCOLS.join(', ')}`, PROTOCOLS.join(','))
    .option(
      '--models <list>',
      'comma-separated model names (default: all baselines + eran, eran-l1, eran-l2, eran-plus; eran-kernel, eran-converged and eran-plus-candidates on request)',
    )
    .option('--seeds <n>', 'number of seeds (1..n); mean and sd per metric', positiveInt('--seeds'), 3)
    .option('--export-split <dir>', 'write train.csv, test.csv, negatives.csv per seed')
    .option('--split <dir>', 'read the split from such a directory instead of building one')
    .option(
      '--export-ranks <dir>',
      "write ranks-<protocol>-seed<s>.csv for every protocol run (loo-full: each user's top 100 and the held-out item, with ranks)",
    )
    .option('--report <dir>', 'write report.md with tables and SVG charts')
    .option('--no-tune', "use each baseline's untuned default instead of tuning on a validation split")
    .option('--eran-epochs <n>', 'eRAN training epochs per fit', positiveInt('--eran-epochs'), 10)
    .option('--eran-minutes <m>', 'cap on eran, eran-l1, eran-l2 training time per fit; 0 = none (eran-converged has none)', Number, DEFAULT_ERAN_MINUTES)
    .option('--eran-hidden <list>', 'eRAN encoder widths, e.g. 1024,256,32 (paper)')
    .option('--eran-lr <lr>', 'eRAN Adam learning rate (paper 0.001)', Number)
    .option('--eran-recon <mode>', 'exact | sampled reconstruction', 'exact')
    .option('--eran-item-bias', 'eRAN improvement: learned item bias (off in the paper)', false)
    .option(
      '--eran-plus-epochs <n>',
      `eran-plus: at most n epochs (early stopping on each user's latest training purchase; default ${ERAN_PLUS_DEFAULTS.epochs})`,
      positiveInt('--eran-plus-epochs'),
    )
    .option('--eran-plus-minutes <m>', 'cap on eran-plus training time per fit; 0 = none (its early stopping only)', Number, DEFAULT_ERAN_PLUS_MINUTES)
    .option('--eran-plus-lr <lr>', `eran-plus Adam learning rate (default ${ERAN_PLUS_DEFAULTS.learningRate})`, Number)
    .option('--eran-plus-tau <t>', `eran-plus and eran-kernel kernel temperature (default ${ERAN_PLUS_DEFAULTS.tau})`, Number)
    .option('--eran-plus-hidden <list>', 'eran-plus and eran-kernel encoder widths (default 256,32)')
    .option('--eran-plus-recency <halfLife>', `eran-plus recency half-life in purchases, 0 = off (default ${ERAN_PLUS_DEFAULTS.recencyHalfLife})`, Number)
    .option('--eran-kernel-alpha <a>', 'eran-kernel rank-loss weight against reconstruction (default 100)', Number)
    .option('--eran-kernel-pairs <n>', 'eran-kernel (i, n) pairs per user and visit (default 16)', positiveInt('--eran-kernel-pairs'))
    .option('--eran-kernel-batch <n>', 'eran-kernel pairs per batch (default 512)', positiveInt('--eran-kernel-batch'))
    .option('--eran-kernel-keys <n>', 'eran-kernel: at most n purchases per user visit as kernel keys (default all)', positiveInt('--eran-kernel-keys'))
    .option('--backend <name>', `tfjs backend for EASE's solve and the eRAN fits: ${BACKEND_PREFERENCES.join(' | ')}`, 'auto')
    .option('--no-isolate', 'fit eRAN models in this process instead of one child process each')
    .option('--synthetic-users <n>', 'synthetic world: users (default 200)', positiveInt('--synthetic-users'))
    .option('--synthetic-items <n>', 'synthetic world: items (default 300; actors and directors grow with it)', positiveInt('--synthetic-items'))
    .option('--synthetic-purchases <min,max>', 'synthetic world: purchases per user (default 10,25)')
    .option('--attention-study', 'attention study (paper 5.3): Max/Min/Random users by attention on --study-kind, refit without that network', false)
    .option('--faithfulness', 'explanation faithfulness: score and rank drop of top-10 items when the anchor j* vs a random purchase is removed', false)
    .option('--study-model <name>', 'the eRAN model the studies fit and inspect', 'eran-plus')
    .option('--study-kind <kind>', 'attention study: the attribute kind whose network is removed', DEFAULT_STUDY_KIND)
    .option('--study-group-size <n>', 'attention study: users per group', positiveInt('--study-group-size'), DEFAULT_GROUP_SIZE)
    .option('--faithfulness-users <n>', 'faithfulness: test users sampled per seed', positiveInt('--faithfulness-users'), DEFAULT_FAITHFULNESS_USERS)
    .action(async (o: EvaluateCliOptions) => {
      if (!isDatasetFormat(o.format)) throw new InvalidArgumentError(`--format: expected ${DATASET_FORMATS.join(' | ')}, got ${o.format}`);
      const protocols = o.protocol.split(',').map((p) => p.trim()) as ProtocolName[];
      for (const p of protocols) if (!PROTOCOLS.includes(p)) throw new InvalidArgumentError(`unknown protocol "${p}"`);
      const backend = parseBackendPreference(o.backend);
      if (backend === null) throw new InvalidArgumentError(`--backend: expected ${backendPreferenceNames()}, got ${o.backend}`);
      const plusSeconds = o.eranPlusMinutes > 0 ? o.eranPlusMinutes * 60 : undefined;
      const plus = {
        epochs: o.eranPlusEpochs ?? ERAN_PLUS_DEFAULTS.epochs,
        maxSeconds: plusSeconds,
        learningRate: o.eranPlusLr,
        tau: o.eranPlusTau,
        hidden: o.eranPlusHidden?.split(',').map(Number),
        recencyHalfLife: o.eranPlusRecency,
      };
      const eran = eranSpecs(
        {
          epochs: o.eranEpochs,
          maxSeconds: o.eranMinutes > 0 ? o.eranMinutes * 60 : undefined,
          hidden: o.eranHidden?.split(',').map(Number),
          learningRate: o.eranLr,
          reconstruction: o.eranRecon,
          itemBias: o.eranItemBias,
        },
        plus,
      );
      // eran-plus scored as the API serves it (candidates, then exact scores): its nDCG beside eran-plus's.
      const plusCandidates = eranPlusSpec({ ...plus, servingPath: 'candidates' }, 'eran-plus-candidates');
      const kernel = eranKernelSpec({
        epochs: o.eranEpochs,
        maxSeconds: plusSeconds,
        learningRate: o.eranPlusLr,
        tau: o.eranPlusTau,
        hidden: o.eranPlusHidden?.split(',').map(Number),
        alpha: o.eranKernelAlpha,
        userPairs: o.eranKernelPairs,
        batchSize: o.eranKernelBatch,
        userKeys: o.eranKernelKeys,
      });
      const converged = eranConvergedSpec({
        hidden: o.eranHidden?.split(',').map(Number),
        learningRate: o.eranLr,
        reconstruction: o.eranRecon,
        itemBias: o.eranItemBias,
      });
      const defaults: ModelSpec[] = [...baselineSpecs(), ...eran];
      const all: ModelSpec[] = [...defaults, kernel, converged, plusCandidates];
      const wanted = o.models?.split(',').map((m) => m.trim());
      const models = wanted ? all.filter((m) => wanted.includes(m.name)) : defaults;
      if (wanted) {
        const unknown = wanted.filter((w) => !all.some((m) => m.name === w));
        if (unknown.length) throw new InvalidArgumentError(`unknown model(s) ${unknown.join(', ')}; known: ${all.map((m) => m.name).join(', ')}`);
      }
      const studying = o.attentionStudy || o.faithfulness;
      const studySpec = studying ? all.find((m) => m.name === o.studyModel) : undefined;
      if (studying && !studySpec?.name.startsWith('eran')) {
        throw new InvalidArgumentError(
          `--study-model ${o.studyModel}: expected an eRAN model (${all
            .filter((m) => m.name.startsWith('eran'))
            .map((m) => m.name)
            .join(', ')})`,
        );
      }
      // The synthetic world is built here (as openDataset would) to keep its planted drivers for the attention study.
      const world = o.format === 'synthetic' ? generateMovieWorld(syntheticOptions(o)) : undefined;
      const source = world ? syntheticSource(world) : o.split && !o.path ? undefined : await openDataset(o.format, o.path);
      const data = source ? await collectDataset(source) : undefined;
      // One bar per model: with eRAN fits in child processes beside the baselines, two models
      // report at once. The run's models done and its ETA ride along on every line.
      const bars = new Map<string, { progress: ConsoleProgress; phase: string; total: number; extras: Record<string, string> }>();
      const runStarted = Date.now();
      const runExtras = (e: RunProgress): Record<string, string> => {
        if (!e.units) return {};
        const { done, total } = e.units;
        const elapsed = (Date.now() - runStarted) / 1000;
        const eta = done > 0 ? formatSeconds((elapsed / done) * (total - done)) : '?';
        return { models: `${done}/${total}`, runEta: eta };
      };
      const result = await runEvaluation({
        data: data ? { name: data.name, interactions: data.interactions, attributes: data.attributes } : undefined,
        splitDir: o.split,
        exportSplitDir: o.exportSplit,
        ranksDir: o.exportRanks,
        seeds: Array.from({ length: o.seeds }, (_, i) => i + 1),
        models,
        protocols,
        tune: o.tune,
        isolate: o.isolate,
        backend,
        outDir: o.report,
        ...(studySpec
          ? {
              studies: {
                spec: studySpec,
                ...(o.attentionStudy ? { attention: { kind: o.studyKind, groupSize: o.studyGroupSize, ...(world ? { drivers: world.drivers } : {}) } } : {}),
                ...(o.faithfulness ? { faithfulness: { users: o.faithfulnessUsers } } : {}),
              },
            }
          : {}),
        onProgress: (e: RunProgress) => {
          if (e.stage === 'model') {
            // A model's start only moves the run's count (carried by every bar); its failure gets a line of its own.
            if (e.error) process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'model failed', seed: e.seed, model: e.model, error: e.error })}\n`);
            return;
          }
          const label = [e.stage, e.model, e.protocol, e.seed !== undefined ? `seed ${e.seed}` : ''].filter(Boolean).join(' ');
          const total = Math.max(1, e.total ?? 1);
          const key = e.model ?? '';
          let bar = bars.get(key);
          if (!bar || label !== bar.phase || total !== bar.total) {
            if (bar && label !== bar.phase) bar.progress.finish(bar.extras);
            bar = { progress: bar?.progress ?? new ConsoleProgress(), phase: label, total, extras: {} };
            bars.set(key, bar);
            bar.progress.start(label, total, STAGE_UNITS[e.stage] ?? 'steps');
          }
          bar.extras = runExtras(e);
          bar.progress.tick(Math.min(e.done ?? 0, total), bar.extras);
        },
      });
      for (const bar of bars.values()) bar.progress.finish(bar.extras);
      if (o.report) await writeReport(result, o.report);
      printHeadline(result);
      printStudies(result);
      if (o.report) console.log(`report: ${o.report}/report.md`);
    });
}

export function printHeadline(result: EvaluationResult, out: (line: string) => void = console.log): void {
  out(`${result.dataset}: seeds ${result.seeds.join(', ')}; ${result.totalSeconds.toFixed(0)} s`);
  for (const protocol of result.protocols) {
    out(`\n${protocol}: ${result.candidates[protocol] ?? ''}`);
    const rows = result.summary.filter((r) => r.protocol === protocol);
    const metrics = [...new Set(rows.map((r) => r.metric))].filter((m) => /@(10|20|50)$/.test(m));
    out(`  ${'model'.padEnd(16)} ${metrics.map((m) => m.padStart(16)).join(' ')}`);
    for (const model of [...new Set(rows.map((r) => r.model))]) {
      const cells = metrics.map((m) => {
        const s = rows.find((r) => r.model === model && r.metric === m)?.spread;
        return (s ? `${s.mean.toFixed(4)}±${s.sd.toFixed(4)}` : '-').padStart(16);
      });
      out(`  ${model.padEnd(16)} ${cells.join(' ')}`);
    }
  }
}

function printStudies(result: EvaluationResult, out: (line: string) => void = console.log): void {
  for (const r of result.attentionStudy ?? []) {
    const groups = r.groups.map((g) => `${g.group} ${g.ndcgWith.toFixed(4)} -> ${g.ndcgWithout.toFixed(4)}`).join(', ');
    out(`\nattention study, seed ${r.seed}, ${r.model} without ${r.kind} (nDCG@10): ${groups}`);
    if (r.drivers) out(`  top-attention kind = planted driver: ${(100 * r.drivers.agreement).toFixed(1)}% (chance ${(100 * r.drivers.chance).toFixed(1)}%)`);
  }
  for (const f of result.faithfulness ?? []) {
    out(
      `\nfaithfulness, seed ${f.seed}, ${f.model}: ${f.items} items; mean score drop anchor ${f.anchor.meanScoreDrop.toFixed(4)} vs random ${f.random.meanScoreDrop.toFixed(4)}; ` +
        `anchor moves the score more for ${(100 * f.anchorMovesMore).toFixed(1)}%`,
    );
  }
}
