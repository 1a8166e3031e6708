import { readDatasetColumns } from '../datasets/dataset-columns';
import type { DataFormatError, DatasetSource, InvalidRowPolicy } from '../datasets/dataset.types';
import { silentProgress, type ProgressSink } from '../common/logging/progress';
import { resolveCaps } from '../networks/build-networks';
import type { UserItemPair } from '../networks/training-set';
import { attributeKindProblem } from '../graph/kind-names';
import { BulkWriter } from './bulk-writer';
import type { GraphWriter, PhaseTimer } from './graph-writer';
import { edgeCounts, kindNames, planImport, planRows, type ImportPlan } from './import-plan';
import type { IngestRepository } from './ingest.repository';
import type { LocalNeo4j } from './local-neo4j';
import { TransactionalWriter } from './transactional-writer';

export { kindNames } from './import-plan';

/**
 * Import of a dataset into Neo4j:
 *   1. read and validate: every file is streamed once into compact columns (dataset-columns.ts);
 *      a malformed row stops the import here, before anything is written (or is skipped and
 *      counted with `onInvalid: 'skip'`);
 *   2. plan: training positives per user, held-out pairs, and the attribute networks built in
 *      memory with the caps (build-networks.ts), still without writing;
 *   3. write, through a GraphWriter: transactional batches (any database; MERGE, so a rerun after
 *      a failure converges), or the neo4j-admin bulk importer (an empty local database; a failure
 *      leaves it empty). A writer that replaces the database (--reset) empties it here, never
 *      before: it is handed a complete plan, so input that steps 1-2 refuse leaves the graph as it
 *      was (the kinds are checked before step 1);
 *   4. the Meta node, last: a database whose Meta is missing or older than the import was left
 *      mid-way by a failed transactional import, and rerunning that import repairs it.
 */
export interface ImportOptions {
  /** A rating strictly above this is a positive (default 3). */
  readonly positiveThreshold?: number;
  /** Users with fewer positives are not imported (default 5). */
  readonly minHistory?: number;
  /** Minimum number of co-purchasers for a network edge (default NETWORK_DEFAULTS). */
  readonly minSupport?: number;
  /** Per-item cap on neighbours per attribute network (union rule); null = no cap (default NETWORK_DEFAULTS). */
  readonly topM?: number | null;
  /** (user, item) positives held out of training: stored as HELD_OUT, never in a network. */
  readonly heldOut?: Iterable<UserItemPair>;
  /** Attribute kinds to import (default: all the dataset declares). */
  readonly kinds?: readonly string[];
  readonly onInvalid?: InvalidRowPolicy;
  /** How the graph is written (default: transactional batches through the repository). */
  readonly writer?: GraphWriter;
  /**
   * Where the attribute networks are built: `memory` (default: from the validated rows, written as
   * edges) or `cypher` (from the PURCHASED relationships in the database, by cypher/networks/; the
   * reference the in-memory build is tested against; transactional writer only).
   */
  readonly networkBuild?: 'memory' | 'cypher';
  /** Items per Cypher network-build transaction. */
  readonly networkBatchSize?: number;
  readonly progress?: ProgressSink;
}

export interface PhaseTiming {
  readonly phase: string;
  readonly seconds: number;
  /** CPU seconds of this process (user + system) during the phase. */
  readonly cpuSeconds: number;
  readonly rows: number;
  /** Resident set size of this process when the phase ended (bytes). */
  readonly rssBytes: number;
}

export interface ImportSummary {
  readonly source: string;
  readonly writer: string;
  readonly kinds: readonly string[];
  readonly minSupport: number;
  readonly topM: number | null;
  readonly items: number;
  readonly attributeLinks: number;
  readonly interactionsRead: number;
  readonly positives: number;
  readonly usersImported: number;
  readonly usersDropped: number;
  readonly purchases: number;
  readonly heldOut: number;
  readonly skippedRows: number;
  readonly skipped: readonly string[];
  readonly edgesPerKind: Readonly<Record<string, number>>;
  readonly phases: readonly PhaseTiming[];
  readonly totalSeconds: number;
}

export const DEFAULT_IMPORT = {
  positiveThreshold: 3,
  minHistory: 5,
  networkBatchSize: 50,
} as const;

export async function importDataset(repo: IngestRepository, source: DatasetSource, options: ImportOptions = {}): Promise<ImportSummary> {
  const opts = { ...DEFAULT_IMPORT, ...options };
  const caps = resolveCaps(options);
  const progress = options.progress ?? silentProgress;
  const writer = options.writer ?? new TransactionalWriter(repo);
  const networkBuild = options.networkBuild ?? 'memory';
  if (networkBuild === 'cypher' && !(writer instanceof TransactionalWriter)) {
    throw new RangeError(`networkBuild 'cypher' builds in the database through Bolt: it needs the transactional writer, not '${writer.name}'`);
  }
  checkKinds(source, options.kinds);
  const phases: PhaseTiming[] = [];
  const began = Date.now();
  const timed = async <T>(phase: string, rows: () => number, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const out = await work();
    const cpu = process.cpuUsage(cpu0);
    phases.push({ phase, seconds: (Date.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows: rows(), rssBytes: process.memoryUsage().rss });
    return out;
  };

  // 1. Read and validate before writing anything.
  const skipped: string[] = [];
  let rowsRead = 0;
  const columns = await timed(
    'read+validate',
    () => rowsRead,
    async () => {
      progress.start('read+validate', 0, 'rows');
      const read = await readDatasetColumns(source, {
        onInvalid: opts.onInvalid ?? 'throw',
        onSkip: (e: DataFormatError) => {
          skipped.push(e.message);
        },
        kinds: options.kinds,
        onRows: (rows) => progress.tick(rows),
      });
      rowsRead = read.counts.interactionsRead + read.counts.attributesRead + read.items.ids.length;
      progress.finish();
      return read;
    },
  );
  const kinds = [...(options.kinds ?? columns.declaredKinds)].sort();
  kinds.forEach(kindNames);

  // 2. Plan (with the networks, unless Cypher builds them from the written purchases).
  let planned = 0;
  const plan: ImportPlan = await timed(
    'plan+networks',
    () => planned,
    async () => {
      progress.start('networks', columns.items.ids.length, 'items');
      const built = planImport(columns, kinds, {
        positiveThreshold: opts.positiveThreshold,
        minHistory: opts.minHistory,
        ...caps,
        heldOut: options.heldOut,
        networks: networkBuild === 'memory',
        onNetworkItems: (done) => progress.tick(done),
      });
      progress.finish(edgeCounts(built));
      planned = built.training.item.length;
      return built;
    },
  );

  // 3. Write.
  await writer.write(plan, progress, timed);
  let edgesPerKind = edgeCounts(plan);
  if (networkBuild === 'cypher') edgesPerKind = await buildNetworksInCypher(repo, plan, caps, opts.networkBatchSize, progress, timed);

  // 4. Meta, last (the writer's name is known once it wrote: `auto` chooses by the plan's size).
  await repo.writeMeta({
    source: source.name,
    kinds,
    positiveThreshold: opts.positiveThreshold,
    minHistory: opts.minHistory,
    minSupport: caps.minSupport,
    topM: caps.topM,
    writer: writer.name,
  });

  return {
    source: source.name,
    writer: writer.name,
    kinds,
    minSupport: caps.minSupport,
    topM: caps.topM,
    items: columns.items.ids.length,
    attributeLinks: plan.links.length,
    interactionsRead: columns.counts.interactionsRead,
    positives: plan.positives,
    usersImported: plan.userIds.length,
    usersDropped: plan.usersDropped,
    purchases: plan.training.item.length,
    heldOut: plan.heldOut.item.length,
    skippedRows: skipped.length,
    skipped: skipped.slice(0, 20),
    edgesPerKind,
    phases,
    totalSeconds: (Date.now() - began) / 1000,
  };
}

/**
 * The kinds to import, checked before any file is read: each must be able to name graph labels
 * and types (not `item`, `user`, ...: kind-names.ts), and asked-for kinds must be the dataset's.
 */
function checkKinds(source: DatasetSource, asked: readonly string[] | undefined): void {
  for (const kind of asked ?? source.kinds) {
    const problem = attributeKindProblem(kind);
    if (problem !== null) throw new RangeError(`${source.name}: ${problem}`);
  }
  const unknown = (asked ?? []).filter((k) => !source.kinds.includes(k));
  if (unknown.length > 0) {
    throw new RangeError(`${source.name}: no attribute kind ${unknown.map((k) => `"${k}"`).join(', ')} (the dataset has ${source.kinds.join(', ') || 'none'})`);
  }
}

export type WriterChoice = 'auto' | 'bulk' | 'transactional';

/**
 * Below this many rows (nodes + relationships) a transactional import of an empty database beats the
 * bulk importer, whose fixed cost (stopping and restarting Neo4j, the importer's start-up) is a
 * minute or more. The measured crossover lies between ~0.3M rows (a busy machine) and ~2M (a quiet
 * one); README, Data.
 */
export const BULK_MIN_ROWS = 1_000_000;

/**
 * `bulk` when the database is empty (or is to be replaced) and is this machine's launcher server,
 * which the bulk importer must stop and restart; `transactional` otherwise. `auto` also leaves
 * plans smaller than BULK_MIN_ROWS to the transactional writer. `bulk` asked for explicitly fails
 * with the reason when it cannot be used.
 */
export async function chooseWriter(
  choice: WriterChoice,
  context: { readonly repo: IngestRepository; readonly local: LocalNeo4j; readonly uri: string; readonly replace: boolean },
): Promise<GraphWriter> {
  const transactional = new TransactionalWriter(context.repo, { replace: context.replace });
  if (choice === 'transactional') return transactional;
  const serves = await context.local.serves(context.uri);
  const empty = context.replace || (await context.repo.isEmpty());
  if (serves && empty) {
    const bulk = new BulkWriter(context.local, context.repo);
    return choice === 'bulk' ? bulk : new SizeChosenWriter(bulk, transactional, BULK_MIN_ROWS);
  }
  if (choice === 'bulk') {
    throw new RangeError(
      !serves
        ? `the bulk importer needs the local launcher's Neo4j (scripts/neo4j.sh, data ${context.local.dataDir}) at ${context.uri}; it is not the server there`
        : 'the bulk importer replaces the whole database: it runs on an empty database only (or with --reset)',
    );
  }
  return transactional;
}

/** The bulk writer for plans of at least `minRows` rows, the transactional one below; named after the one used. */
export class SizeChosenWriter implements GraphWriter {
  name: string;

  constructor(
    private readonly large: GraphWriter,
    private readonly small: GraphWriter,
    private readonly minRows: number,
  ) {
    this.name = `${large.name} or ${small.name}`;
  }

  async write(plan: ImportPlan, progress: ProgressSink, phase: PhaseTimer): Promise<void> {
    const writer = planRows(plan) >= this.minRows ? this.large : this.small;
    this.name = writer.name;
    await writer.write(plan, progress, phase);
  }
}

/** The Cypher construction (cypher/networks/): from PURCHASED in the database, then the top-M marks. */
async function buildNetworksInCypher(
  repo: IngestRepository,
  plan: ImportPlan,
  caps: { minSupport: number; topM: number | null },
  batch: number,
  progress: ProgressSink,
  timed: <T>(phase: string, rows: () => number, work: () => Promise<T>) => Promise<T>,
): Promise<Record<string, number>> {
  const edgesPerKind: Record<string, number> = Object.fromEntries(plan.kinds.map((k) => [k, 0]));
  const ids = [...plan.itemIds].sort();
  await timed(
    'networks (cypher)',
    () => Object.values(edgesPerKind).reduce((a, b) => a + b, 0),
    async () => {
      const kindParams = plan.kinds.map((k) => ({ prefix: `${k}:`, rel: kindNames(k).rel }));
      await repo.deleteNetworkEdges(kindParams.map((k) => k.rel));
      progress.start('networks (cypher)', ids.length, 'items');
      for (let s = 0; s < ids.length; s += batch) {
        const created = await repo.buildNetworkEdges(ids.slice(s, s + batch), kindParams, caps.minSupport);
        for (const k of plan.kinds) edgesPerKind[k] = (edgesPerKind[k] ?? 0) + (created.get(kindNames(k).rel) ?? 0);
        progress.tick(Math.min(s + batch, ids.length), edgesPerKind);
      }
      progress.finish(edgesPerKind);
    },
  );
  const topM = caps.topM;
  if (topM === null) return edgesPerKind;
  await timed(
    'top-m (cypher)',
    () => 0,
    async () => {
      const step = batch * 4;
      for (const k of plan.kinds) {
        const rel = kindNames(k).rel;
        progress.start(`top-${topM} ${k}`, ids.length * 2, 'items');
        for (let s = 0; s < ids.length; s += step) {
          await repo.markTopM(ids.slice(s, s + step), rel, topM);
          progress.tick(Math.min(s + step, ids.length));
        }
        for (let s = 0; s < ids.length; s += step) {
          await repo.pruneUnmarked(ids.slice(s, s + step), rel);
          progress.tick(ids.length + Math.min(s + step, ids.length));
        }
        progress.finish();
      }
    },
  );
  const counts = await repo.countRelationships();
  for (const k of plan.kinds) edgesPerKind[k] = counts.find((c) => c.type === kindNames(k).rel)?.count ?? 0;
  return edgesPerKind;
}
