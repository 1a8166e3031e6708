import { loadConfig } from '../src/config/app-config';
import { GraphClient } from '../src/graph/graph-client';
import { ConsoleProgress } from '../src/common/logging/progress';
import { IngestRepository } from '../src/ingest/ingest.repository';
import { importDataset } from '../src/ingest/import-dataset';
import { openDataset, isDatasetFormat } from '../src/datasets/open-dataset';
import { printImportSummary } from '../src/cli';

/**
 * npm run bench:import -- [--format csv] <path> [--min-support N] [--top-m M]
 * Empties the configured Neo4j (NEO4J_URI, default the dev server), imports the dataset and prints
 * rows/s and seconds per phase, edge counts per attribute network and peak RSS.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const format = flag('--format') ?? (args.length === 0 ? 'synthetic' : 'csv');
  if (!isDatasetFormat(format)) throw new Error(`unknown --format ${format}`);
  const path = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--')));
  const minSupport = Number(flag('--min-support') ?? 1);
  const topM = flag('--top-m') ? Number(flag('--top-m')) : undefined;

  const config = loadConfig();
  const graph = await GraphClient.connect(config.neo4j);
  let peakRss = 0;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const repo = new IngestRepository(graph);
    await repo.deleteAll();
    const source = await openDataset(format, path);
    const summary = await importDataset(repo, source, { minSupport, topM, progress: new ConsoleProgress() });
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`bench:import ${source.name} minSupport=${minSupport} topM=${topM ?? 'none'}`);
    printImportSummary(summary);
    const rows = summary.phases.reduce((s, p) => s + p.rows, 0);
    console.log(`  total ${summary.totalSeconds.toFixed(1)} s, ${Math.round(rows / summary.totalSeconds)} rows/s overall, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    clearInterval(timer);
    await graph.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:import: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
