#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerEvaluateCommand } from './evaluation/evaluate-command';
import { loadConfig, type AppConfig } from './config/app-config';
import { GraphClient } from './graph/graph-client';
import { ConsoleProgress } from './common/logging/progress';
import { IngestRepository } from './ingest/ingest.repository';
import { chooseWriter, importDataset, type ImportSummary, type WriterChoice } from './ingest/import-dataset';
import { LocalNeo4j } from './ingest/local-neo4j';
import { NETWORK_DEFAULTS } from './networks/build-networks';
import { generateWorldTables, scaledWorldOptions, worldTablesSource } from './datasets/synthetic';
import { openDataset, DATASET_FORMATS, type DatasetFormat } from './datasets/open-dataset';
import { readPairsCsv } from './datasets/pairs-csv';
import { initBackend, BACKEND_PREFERENCES, backendPreferenceNames, parseBackendPreference } from './model/backend';
import { scoringPreset, type EranVariant, type ReconstructionMode, type ScoringMode } from './model/options';
import { CheckpointStore } from './served-model/checkpoint-store';
import { runTrainingPipeline } from './training/train-pipeline';
import { runWorkerLoop } from './training/worker-loop';
import { ServedModelRepository } from './served-model/served-model.repository';
import { createLogger } from './common/logging/logger';
import { printPipelineProgress, printPipelineResult, trainReport, writeTrainReport } from './training/train-report';
import { TrainingRepository } from './training/training.repository';
import { writeSchemaFile } from './app.schema';
import { startServer } from './main';
import { runDemo } from './demo/run-demo';

/**
 * `npm run eran -- <command>` / `eran <command>`. Every command prints its result on stdout;
 * progress and logs go to stderr.
 */
function positiveInt(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${raw}"`);
    return n;
  };
}

/**
 * `--top-m`: a positive integer or `none` (no cap). Commander stores a parser's `null` as `''`, so the
 * absence of a cap travels as the string 'none' and becomes `null` where the options are read.
 */
export function topMOption(raw: string): number | 'none' {
  if (raw === 'none') return 'none';
  return positiveInt('--top-m')(raw);
}

export function topMValue(option: number | 'none'): number | null {
  return option === 'none' ? null : option;
}

function number(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${raw}"`);
    return n;
  };
}

async function withGraph<T>(config: AppConfig, work: (graph: GraphClient) => Promise<T>): Promise<T> {
  const graph = await GraphClient.connect(config.neo4j);
  try {
    return await work(graph);
  } finally {
    await graph.close();
  }
}

export function printImportSummary(summary: ImportSummary, out: (line: string) => void = console.log): void {
  out(
    `Imported ${summary.source} (kinds: ${summary.kinds.join(', ')}; ${summary.writer} writer; minSupport ${summary.minSupport}, ` +
      `top-M ${summary.topM ?? 'none'}) in ${summary.totalSeconds.toFixed(1)} s`,
  );
  out(
    `  items ${summary.items}, attribute links ${summary.attributeLinks}, interactions read ${summary.interactionsRead}, ` + `positives ${summary.positives}`,
  );
  out(
    `  users imported ${summary.usersImported} (dropped ${summary.usersDropped} below min history), ` +
      `PURCHASED ${summary.purchases}, HELD_OUT ${summary.heldOut}`,
  );
  if (summary.skippedRows > 0) {
    out(`  skipped ${summary.skippedRows} invalid rows (--skip-invalid), first ones:`);
    for (const s of summary.skipped) out(`    ${s}`);
  }
  out('  attribute networks:');
  for (const [kind, edges] of Object.entries(summary.edgesPerKind)) out(`    ${kind.toUpperCase().padEnd(12)} ${edges} edges`);
  out('  phases:');
  for (const p of summary.phases) {
    const rate = p.seconds > 0 && p.rows > 0 ? ` (${Math.round(p.rows / p.seconds)} rows/s)` : '';
    out(
      `    ${p.phase.padEnd(20)} ${p.seconds.toFixed(2).padStart(8)} s (cpu ${p.cpuSeconds.toFixed(1)} s, rss ${(p.rssBytes / 2 ** 20).toFixed(0)} MiB)` +
        `  ${String(p.rows).padStart(9)} rows${rate}`,
    );
  }
}

export async function printStats(graph: GraphClient, out: (line: string) => void = console.log): Promise<void> {
  const repo = new IngestRepository(graph);
  const [meta, nodes, rels] = await Promise.all([repo.readMeta(), repo.countNodes(), repo.countRelationships()]);
  out(meta ? `Dataset: ${meta.source} (kinds ${meta.kinds.join(', ')}, imported ${meta.importedAt})` : 'Dataset: none imported');
  out('Nodes:');
  for (const n of nodes) out(`  ${n.label.padEnd(14)} ${n.count}`);
  out('Relationships:');
  for (const r of rels) out(`  ${r.type.padEnd(14)} ${r.count}`);
}

export function buildCli(): Command {
  const program = new Command('eran').description('eRAN-graph: explainable recommendations from attribute networks in Neo4j');

  program
    .command('import')
    .description('import a dataset into Neo4j and build its attribute networks')
    .addOption(new Option('--format <format>', 'dataset layout').choices(DATASET_FORMATS).makeOptionMandatory())
    .option('--path <dir>', 'dataset folder (not needed for synthetic)')
    .option('--seed <n>', 'seed of the synthetic world', positiveInt('--seed'), 7)
    .option('--items <n>', 'synthetic: catalogue size (a catalogue-scale world: scaledWorldOptions)', positiveInt('--items'))
    .option('--users <n>', 'synthetic: users (with --items)', positiveInt('--users'))
    .option('--positive-threshold <r>', 'ratings above this are purchases', number('--positive-threshold'), 3)
    .option('--min-history <n>', 'drop users with fewer positives', positiveInt('--min-history'), 5)
    .option('--min-support <n>', 'co-purchasers needed for a network edge', positiveInt('--min-support'), NETWORK_DEFAULTS.minSupport)
    .option('--top-m <n|none>', 'keep at most M neighbours per item and network (union rule); none: no cap', topMOption, NETWORK_DEFAULTS.topM ?? 'none')
    .option('--kinds <list>', 'attribute kinds to import (comma-separated; default: all)')
    .option('--held-out <file>', 'CSV user,item of positives to hold out of training (evaluation)')
    .option('--skip-invalid', 'skip and count malformed rows instead of stopping', false)
    .option('--reset', 'replace what the database holds', false)
    .option('--writer <w>', 'auto (bulk importer for an empty local database, else transactional) | bulk | transactional', 'auto')
    .option('--networks <where>', 'memory (built while importing) | cypher (built in Neo4j from PURCHASED; transactional only)', 'memory')
    .action(async (o: ImportCliOptions) => {
      const config = loadConfig();
      if (!['auto', 'bulk', 'transactional'].includes(o.writer))
        throw new InvalidArgumentError(`--writer: expected auto | bulk | transactional, got ${o.writer}`);
      if (!['memory', 'cypher'].includes(o.networks)) throw new InvalidArgumentError(`--networks: expected memory | cypher, got ${o.networks}`);
      // Everything that can be checked without the database comes first; the import itself reads and
      // plans every row before it writes (or, with --reset, deletes) anything.
      const heldOut = o.heldOut ? await readPairsCsv(o.heldOut) : undefined;
      const source =
        o.format === 'synthetic' && o.items !== undefined
          ? worldTablesSource(generateWorldTables(scaledWorldOptions({ items: o.items, users: o.users ?? Math.ceil(o.items / 2), seed: o.seed })))
          : await openDataset(o.format, o.path, { synthetic: { seed: o.seed } });
      const progress = new ConsoleProgress();
      await withGraph(config, async (graph) => {
        const repo = new IngestRepository(graph);
        const writerChoice = o.networks === 'cypher' ? 'transactional' : (o.writer as WriterChoice);
        const writer = await chooseWriter(writerChoice, { repo, local: new LocalNeo4j(config.localNeo4j), uri: config.neo4j.uri, replace: o.reset });
        const summary = await importDataset(repo, source, {
          positiveThreshold: o.positiveThreshold,
          minHistory: o.minHistory,
          minSupport: o.minSupport,
          topM: topMValue(o.topM),
          kinds: o.kinds
            ?.split(',')
            .map((k) => k.trim())
            .filter(Boolean),
          heldOut,
          onInvalid: o.skipInvalid ? 'skip' : 'throw',
          writer,
          networkBuild: o.networks as 'memory' | 'cypher',
          progress,
        });
        printImportSummary(summary);
      });
    });

  program
    .command('stats')
    .description('counts per label and relationship type, edges per attribute network')
    .action(async () => {
      await withGraph(loadConfig(), (graph) => printStats(graph));
    });

  program
    .command('train')
    .description('train eRAN on the graph (adjacency extracted by Cypher) and write a checkpoint under CHECKPOINT_DIR')
    .option('--epochs <n>', 'maximum epochs', positiveInt('--epochs'), 30)
    .option('--scoring <mode>', 'paper (eq. 13) | kernel | mixture (eran-plus; brings item bias, item vectors, recency)', 'mixture')
    .option('--hidden <list>', 'encoder widths, comma-separated; the last is the code size d', '128,32')
    .option('--learning-rate <x>', 'Adam learning rate', number('--learning-rate'), 0.01)
    .option('--alpha <x>', 'weight of the ranking loss (eq. 12)', number('--alpha'), 10)
    .option('--batch-size <n>', 'triplets per mini-batch', positiveInt('--batch-size'), 2000)
    .option('--reconstruction <mode>', 'exact | sampled', 'sampled')
    .option('--variant <v>', 'eran | eran-l1 | eran-l2', 'eran')
    .option('--item-bias', 'the learned item-bias improvement', false)
    .option('--seed <n>', 'weight and sampler seed', positiveInt('--seed'), 42)
    .option('--patience <n>', 'epochs without validation gain before stopping', positiveInt('--patience'), 3)
    .option('--max-seconds <n>', 'wall-clock budget', positiveInt('--max-seconds'))
    .option('--min-ndcg <x>', 'fail below this validation nDCG@10', number('--min-ndcg'), 0)
    .option('--kinds <list>', 'attribute kinds (comma-separated; default: all of the dataset)')
    .option('--backend <name>', `tfjs backend: ${BACKEND_PREFERENCES.join(' | ')} (default: ERAN_TF_BACKEND or auto)`)
    .option('--no-publish', 'write the checkpoint only; running replicas keep their version (publish later with rollbackModel)')
    .option('--json <file>', 'also write the result (epochs, timings, best epoch, stop reason, version) as JSON to this file')
    .action(async (o: TrainCliOptions) => {
      const config = loadConfig();
      const hidden = o.hidden.split(',').map((w) => positiveInt('--hidden')(w.trim()));
      if (!['paper', 'kernel', 'mixture'].includes(o.scoring)) throw new InvalidArgumentError(`--scoring: expected paper | kernel | mixture, got ${o.scoring}`);
      const prefer = o.backend === undefined ? config.tfBackend : parseBackendPreference(o.backend);
      if (prefer === null) throw new InvalidArgumentError(`--backend: expected ${backendPreferenceNames()}, got ${o.backend}`);
      const backend = await initBackend({ prefer });
      const steps = new ConsoleProgress();
      await withGraph(config, async (graph) => {
        const result = await runTrainingPipeline(
          new TrainingRepository(graph),
          new CheckpointStore(config.checkpointDir),
          {
            epochs: o.epochs,
            patience: o.patience,
            maxSeconds: o.maxSeconds,
            minValidationNdcg: o.minNdcg,
            kinds: o.kinds
              ?.split(',')
              .map((k) => k.trim())
              .filter(Boolean),
            backend: backend.name,
            extractProgress: steps,
            hyper: {
              hidden,
              learningRate: o.learningRate,
              alpha: o.alpha,
              batchSize: o.batchSize,
              reconstruction: o.reconstruction,
              variant: o.variant,
              itemBias: o.itemBias,
              seed: o.seed,
              // Last: a scoring mode's preset wins (mixture always has item bias and item vectors).
              ...scoringPreset(o.scoring),
            },
          },
          (p) => printPipelineProgress(p, undefined, steps),
        );
        printPipelineResult(result);
        result.model.dispose();
        if (o.publish) {
          await new ServedModelRepository(graph).publish(result.version, 'eran train');
          console.log(`Published ${result.version}: every running replica switches to it.`);
        }
        if (o.json !== undefined) await writeTrainReport(o.json, trainReport(result, { published: o.publish }));
      });
    });

  program
    .command('worker')
    .description('train the retrain jobs that API replicas queue in the graph (TRAINING_MODE=worker) and publish each new version')
    .option('--poll-ms <n>', 'how often to look for a queued job', positiveInt('--poll-ms'), 1000)
    .action(async (o: { pollMs: number }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel, 'eran-worker');
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      await withGraph(config, (graph) => runWorkerLoop(config, graph, logger, stop.signal, { pollMs: o.pollMs }));
    });

  program
    .command('serve')
    .description('serve the GraphQL API (PORT, default 3000) with the newest checkpoint of CHECKPOINT_DIR')
    .option(
      '--explanation-cache-ttl <seconds>',
      'reuse an explanation for the same user, history and model this long (0: off)',
      number('--explanation-cache-ttl'),
      30,
    )
    .action(async (o: { explanationCacheTtl: number }) => {
      // Listening before the model is active: GET /health/live answers at once, /health (readiness)
      // once the model serves, and recommendations answer MODEL_NOT_READY meanwhile.
      await startServer(loadConfig(), { tuning: { explanationCacheTtlMs: Math.max(0, o.explanationCacheTtl) * 1000, activateInBackground: true } });
    });

  program
    .command('schema')
    .description('write the GraphQL schema (SDL) generated from the code-first models')
    .option('--out <file>', 'output file', 'schema.gql')
    .action(async (o: { out: string }) => {
      await writeSchemaFile(o.out);
      console.log(`wrote ${o.out}`);
    });

  program
    .command('demo')
    .description('start Neo4j if needed, import the synthetic dataset, train a small model, serve, print an example query')
    .option('--reset', 'allow replacing a non-demo dataset in the database', false)
    .option('--no-serve', 'exit after printing the example')
    .option('--seed <n>', 'seed of the synthetic world', positiveInt('--seed'), 7)
    .action(async (o: { reset: boolean; serve: boolean; seed: number }) => {
      await runDemo(loadConfig(), o);
    });

  registerEvaluateCommand(program);
  return program;
}

interface TrainCliOptions {
  epochs: number;
  scoring: ScoringMode;
  hidden: string;
  learningRate: number;
  alpha: number;
  batchSize: number;
  reconstruction: ReconstructionMode;
  variant: EranVariant;
  itemBias: boolean;
  seed: number;
  patience: number;
  maxSeconds?: number;
  minNdcg: number;
  kinds?: string;
  backend?: string;
  publish: boolean;
  json?: string;
}

interface ImportCliOptions {
  format: DatasetFormat;
  path?: string;
  seed: number;
  positiveThreshold: number;
  minHistory: number;
  items?: number;
  users?: number;
  minSupport: number;
  topM: number | 'none';
  kinds?: string;
  heldOut?: string;
  skipInvalid: boolean;
  reset: boolean;
  writer: string;
  networks: string;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      // One line naming the problem (file, line, field; or how to start Neo4j), not a stack trace.
      console.error(`eran: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
