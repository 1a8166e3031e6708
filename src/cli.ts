#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type AppConfig } from './config/app-config';
import { GraphClient } from './graph/graph-client';
import { ConsoleProgress } from './common/logging/progress';
import { IngestRepository } from './ingest/ingest.repository';
import { importDataset, type ImportSummary } from './ingest/import-dataset';
import { openDataset, DATASET_FORMATS, type DatasetFormat } from './datasets/open-dataset';
import { readPairsCsv } from './datasets/pairs-csv';

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
  out(`Imported ${summary.source} (kinds: ${summary.kinds.join(', ')}) in ${summary.totalSeconds.toFixed(1)} s`);
  out(
    `  items ${summary.items}, attribute links ${summary.attributeLinks}, interactions read ${summary.interactionsRead}, ` +
      `positives ${summary.positives}`,
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
    out(`    ${p.phase.padEnd(16)} ${p.seconds.toFixed(2).padStart(8)} s  ${String(p.rows).padStart(9)} rows${rate}`);
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
  const program = new Command('eran')
    .description('eRAN-graph: explainable recommendations from attribute networks in Neo4j')
    .showHelpAfterError();

  program
    .command('import')
    .description('import a dataset into Neo4j and build its attribute networks')
    .requiredOption('--format <format>', `dataset layout: ${DATASET_FORMATS.join(' | ')}`)
    .option('--path <dir>', 'dataset folder (not needed for synthetic)')
    .option('--seed <n>', 'seed of the synthetic world', positiveInt('--seed'), 7)
    .option('--positive-threshold <r>', 'ratings above this are purchases', number('--positive-threshold'), 3)
    .option('--min-history <n>', 'drop users with fewer positives', positiveInt('--min-history'), 5)
    .option('--min-support <n>', 'co-purchasers needed for a network edge', positiveInt('--min-support'), 1)
    .option('--top-m <n>', 'keep at most M neighbours per item and network (union rule)', positiveInt('--top-m'))
    .option('--kinds <list>', 'attribute kinds to import (comma-separated; default: all)')
    .option('--held-out <file>', 'CSV user,item of positives to hold out of training (evaluation)')
    .option('--skip-invalid', 'skip and count malformed rows instead of stopping', false)
    .option('--reset', 'empty the database first', false)
    .action(async (o: ImportCliOptions) => {
      const config = loadConfig();
      const source = await openDataset(o.format, o.path, { synthetic: { seed: o.seed } });
      const heldOut = o.heldOut ? await readPairsCsv(o.heldOut) : undefined;
      await withGraph(config, async (graph) => {
        const repo = new IngestRepository(graph);
        if (o.reset) await repo.deleteAll();
        const summary = await importDataset(repo, source, {
          positiveThreshold: o.positiveThreshold,
          minHistory: o.minHistory,
          minSupport: o.minSupport,
          topM: o.topM,
          kinds: o.kinds?.split(',').map((k) => k.trim()).filter(Boolean),
          heldOut,
          onInvalid: o.skipInvalid ? 'skip' : 'throw',
          progress: new ConsoleProgress(),
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

  return program;
}

interface ImportCliOptions {
  format: DatasetFormat;
  path?: string;
  seed: number;
  positiveThreshold: number;
  minHistory: number;
  minSupport: number;
  topM?: number;
  kinds?: string;
  heldOut?: string;
  skipInvalid: boolean;
  reset: boolean;
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
