/**
 * Generate a catalogue-scale synthetic world and import it: the one call benchmarks make to put a
 * world of a given size into Neo4j (bench:import --synthetic, and scale benchmarks of training
 * and serving that need a loaded database first).
 */
import type { AppConfig } from '../config/app-config';
import type { GraphClient } from '../graph/graph-client';
import { generateWorldTables, scaledWorldOptions, worldTablesSource, type SyntheticWorldOptions, type WorldTables } from '../datasets/synthetic';
import { chooseWriter, importDataset, type ImportOptions, type ImportSummary, type WriterChoice } from './import-dataset';
import { IngestRepository } from './ingest.repository';
import { LocalNeo4j } from './local-neo4j';

export interface SyntheticImportOptions extends Omit<ImportOptions, 'writer'> {
  readonly items: number;
  readonly users: number;
  readonly seed?: number;
  /** Generator options over scaledWorldOptions({ items, users, seed }). */
  readonly world?: SyntheticWorldOptions;
  /** Default `auto`: the bulk importer when the database is empty (or replaced) and local. */
  readonly writer?: WriterChoice;
  /** Replace what the database holds (default true): the bulk importer overwrites it, the transactional writer empties it first. */
  readonly replace?: boolean;
}

export interface SyntheticImport {
  readonly world: WorldTables;
  readonly generateSeconds: number;
  readonly summary: ImportSummary;
}

export async function importSyntheticWorld(graph: GraphClient, config: AppConfig, options: SyntheticImportOptions): Promise<SyntheticImport> {
  const { items, users, seed, world: worldOptions, writer: choice = 'auto', replace = true, ...importOptions } = options;
  const t0 = Date.now();
  const world = generateWorldTables({ ...scaledWorldOptions({ items, users, seed }), ...worldOptions });
  const generateSeconds = (Date.now() - t0) / 1000;
  const repo = new IngestRepository(graph);
  const writer = await chooseWriter(choice, { repo, local: new LocalNeo4j(config.localNeo4j), uri: config.neo4j.uri, replace });
  const summary = await importDataset(repo, worldTablesSource(world, `synthetic(${items} items, ${users} users, seed ${seed ?? 'default'})`), {
    ...importOptions,
    writer,
  });
  return { world, generateSeconds, summary };
}
