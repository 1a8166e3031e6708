import { writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/app-config';
import { GraphClient } from '../src/graph/graph-client';
import { ConsoleProgress } from '../src/common/logging/progress';
import { IngestRepository } from '../src/ingest/ingest.repository';
import { chooseWriter, importDataset, type ImportSummary, type WriterChoice } from '../src/ingest/import-dataset';
import { importSyntheticWorld } from '../src/ingest/import-synthetic';
import { LocalNeo4j } from '../src/ingest/local-neo4j';
import { openDataset, isDatasetFormat } from '../src/datasets/open-dataset';
import { NETWORK_DEFAULTS } from '../src/networks/build-networks';
import { printImportSummary, topMOption, topMValue } from '../src/cli';
import { benchCommand, finiteNumber, positiveInt } from './args';
import { MemorySampler } from './process-memory';

/**
 * npm run bench:import -- [--format csv] <path> [options]
 * npm run bench:import -- --synthetic --items 100000 --users 50000 [--seed 42] [options]
 * options: --min-support N, --top-m M|none (default: the import defaults), --writer auto|bulk|transactional,
 *          --json <file> (the summary and peaks as JSON, for bench:scale)
 *
 * REPLACES what the configured Neo4j holds (NEO4J_URI; for the bulk importer also NEO4J_DATA_DIR /
 * NEO4J_BOLT_PORT of the launcher), imports, and prints seconds, CPU seconds and rows per phase,
 * edges per attribute network, and the peak RSS of this process, of the Neo4j processes (server
 * or bulk importer) and of both together.
 */
async function main(): Promise<void> {
  const command = benchCommand('bench:import', 'REPLACES what the configured Neo4j holds, imports, and prints seconds, rows and peak RSS per phase')
    .argument('[path]', 'dataset folder')
    .option('--format <format>', 'dataset layout (default: csv with a path, else synthetic)')
    .option('--synthetic', 'a catalogue-scale synthetic world (scaledWorldOptions)', false)
    .option('--items <n>', 'synthetic: items (default 6000)', positiveInt)
    .option('--users <n>', 'synthetic: users (default: items / 2)', positiveInt)
    .option('--seed <n>', 'synthetic: seed', finiteNumber)
    .option('--min-support <n>', 'co-purchasers needed for a network edge', finiteNumber, NETWORK_DEFAULTS.minSupport)
    .option('--top-m <n|none>', 'neighbours kept per item and network (none: no cap)', topMOption, NETWORK_DEFAULTS.topM ?? 'none')
    .option('--writer <w>', 'auto | bulk | transactional', 'auto')
    .option('--json <file>', 'the summary and peaks as JSON, for bench:scale')
    .parse(process.argv);
  const path = command.processedArgs[0] as string | undefined;
  const o = command.opts<{
    format?: string;
    synthetic: boolean;
    items?: number;
    users?: number;
    seed?: number;
    minSupport: number;
    topM: number | 'none';
    writer: string;
    json?: string;
  }>();
  const synthetic = o.synthetic;
  const format = o.format ?? (path === undefined ? 'synthetic' : 'csv');
  if (!isDatasetFormat(format)) throw new Error(`unknown --format ${format}`);
  const { minSupport } = o;
  const topM = topMValue(o.topM);
  const writerChoice = o.writer as WriterChoice;
  if (!['auto', 'bulk', 'transactional'].includes(writerChoice)) throw new Error(`--writer: expected auto | bulk | transactional, got ${writerChoice}`);

  const config = loadConfig();
  const graph = await GraphClient.connect(config.neo4j);
  const memory = new MemorySampler(config.localNeo4j.dataDir);
  const progress = new ConsoleProgress();
  try {
    let summary: ImportSummary;
    let generateSeconds = 0;
    if (synthetic || (format === 'synthetic' && o.items !== undefined)) {
      const items = o.items ?? 6000;
      const users = o.users ?? Math.ceil(items / 2);
      const result = await importSyntheticWorld(graph, config, {
        items,
        users,
        seed: o.seed,
        writer: writerChoice,
        minSupport,
        topM,
        progress,
      });
      summary = result.summary;
      generateSeconds = result.generateSeconds;
    } else {
      const repo = new IngestRepository(graph);
      const writer = await chooseWriter(writerChoice, { repo, local: new LocalNeo4j(config.localNeo4j), uri: config.neo4j.uri, replace: true });
      memory.reset();
      summary = await importDataset(repo, await openDataset(format, path), { minSupport, topM, writer, progress });
    }
    const peaks = memory.stop();
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    console.log(`bench:import ${summary.source} writer=${summary.writer} minSupport=${summary.minSupport} topM=${summary.topM ?? 'none'}`);
    printImportSummary(summary);
    const rows = summary.phases.reduce((s, p) => s + p.rows, 0);
    if (generateSeconds > 0) console.log(`  generate ${generateSeconds.toFixed(1)} s (before the import)`);
    console.log(
      `  total ${summary.totalSeconds.toFixed(1)} s, ${Math.round(rows / summary.totalSeconds)} rows/s overall; ` +
        `peak RSS: node ${mib(peaks.node)}, neo4j ${mib(peaks.neo4j)}, both at once ${mib(peaks.combined)}`,
    );
    const json = o.json;
    if (json !== undefined) writeFileSync(json, `${JSON.stringify({ summary, generateSeconds, peaks }, null, 2)}\n`);
  } finally {
    memory.stop();
    await graph.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:import: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
