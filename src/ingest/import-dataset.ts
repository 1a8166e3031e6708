import { collectDataset, type CollectedDataset } from '../datasets/collect-dataset';
import { DataFormatError, type DatasetSource, type InvalidRowPolicy } from '../datasets/dataset.types';
import type { LocatedDatasetSource } from '../datasets/located';
import { validateReferences } from '../datasets/validate-references';
import { silentProgress, type ProgressSink } from '../common/logging/progress';
import type { IngestRepository, ItemAttributeRow, AttributeValueRow, PurchaseRow } from './ingest.repository';

/**
 * Import of a dataset into Neo4j (DESIGN §1):
 *   1. read and validate EVERYTHING first, so a malformed file writes nothing at all;
 *   2. schema migration (constraints), items, attribute values + HAS_<KIND> links,
 *      users + PURCHASED (training positives) + HELD_OUT, each batch one transaction, MERGE only;
 *   3. the attribute networks, rebuilt from PURCHASED by Cypher (so a re-import changes no counts).
 */
export interface ImportOptions {
  /** A rating strictly above this is a positive (default 3). */
  readonly positiveThreshold?: number;
  /** Users with fewer positives are not imported (default 5). */
  readonly minHistory?: number;
  /** Minimum number of co-purchasers for a network edge (default 1). */
  readonly minSupport?: number;
  /** Per-item cap on neighbours per attribute network (union rule); undefined = no cap. */
  readonly topM?: number;
  /** (user, item) positives held out of training: stored as HELD_OUT, never in a network. */
  readonly heldOut?: Iterable<{ readonly user: string; readonly item: string }>;
  /** Attribute kinds to import (default: all the dataset declares). */
  readonly kinds?: readonly string[];
  readonly onInvalid?: InvalidRowPolicy;
  readonly batchSize?: number;
  /** Items per network-build transaction. */
  readonly networkBatchSize?: number;
  readonly progress?: ProgressSink;
}

export interface PhaseTiming {
  readonly phase: string;
  readonly seconds: number;
  readonly rows: number;
}

export interface ImportSummary {
  readonly source: string;
  readonly kinds: readonly string[];
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
  minSupport: 1,
  batchSize: 5000,
  networkBatchSize: 50,
} as const;

/** `actor` -> relationship type `ACTOR`, link type `HAS_ACTOR`, label `Actor`. */
export function kindNames(kind: string): { rel: string; has: string; label: string } {
  if (!/^[a-z][a-z0-9_]*$/.test(kind)) {
    throw new Error(`attribute kind "${kind}" must be lower-case letters, digits or _ (it becomes a relationship type)`);
  }
  const pascal = kind
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
  return { rel: kind.toUpperCase(), has: `HAS_${kind.toUpperCase()}`, label: pascal };
}

export async function importDataset(
  repo: IngestRepository,
  source: DatasetSource,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const opts = { ...DEFAULT_IMPORT, ...options };
  const progress = options.progress ?? silentProgress;
  const phases: PhaseTiming[] = [];
  const began = Date.now();
  const timed = async <T>(phase: string, rows: () => number, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const out = await work();
    phases.push({ phase, seconds: (Date.now() - t0) / 1000, rows: rows() });
    return out;
  };

  // 1. Read and validate before writing anything.
  const skipped: string[] = [];
  const readOptions = {
    onInvalid: opts.onInvalid ?? 'throw',
    onSkip: (e: DataFormatError) => {
      skipped.push(e.message);
    },
  } as const;
  const data = await timed('read+validate', () => 0, async () => {
    if (isLocated(source)) await validateReferences(source, readOptions);
    return collectDataset(source, readOptions);
  });
  const kinds = [...(options.kinds ?? data.kinds)].sort();
  kinds.forEach(kindNames);
  const plan = planImport(data, kinds, opts, options.heldOut);
  phases[0] = { ...phases[0]!, rows: data.items.length + data.attributes.length + data.interactions.length };

  // 2. Nodes and relationships, batch by batch.
  await timed('schema', () => 5, () => repo.migrate());

  await timed('items', () => plan.items.length, async () => {
    progress.start('items', plan.items.length, 'items');
    for (let s = 0; s < plan.items.length; s += opts.batchSize) {
      await repo.mergeItems(plan.items.slice(s, s + opts.batchSize));
      progress.tick(Math.min(s + opts.batchSize, plan.items.length));
    }
    progress.finish();
  });

  await timed('attributes', () => plan.links.length, async () => {
    progress.start('attributes', plan.links.length, 'links');
    for (let s = 0; s < plan.links.length; s += opts.batchSize) {
      const links = plan.links.slice(s, s + opts.batchSize);
      const uids = new Set(links.map((l) => l.uid));
      await repo.mergeAttributes(
        plan.values.filter((v) => uids.has(v.uid)),
        links,
      );
      progress.tick(Math.min(s + opts.batchSize, plan.links.length));
    }
    progress.finish();
  });

  await timed('users+purchases', () => plan.purchases.length + plan.heldOut.length, async () => {
    const total = plan.purchases.length + plan.heldOut.length;
    progress.start('purchases', total, 'rows');
    let done = 0;
    for (const batch of userBatches(plan.users, plan.purchases, plan.heldOut, opts.batchSize)) {
      await repo.mergeUsersAndPurchases(batch.users, batch.purchases, batch.heldOut);
      done += batch.purchases.length + batch.heldOut.length;
      progress.tick(done);
    }
    progress.finish();
  });

  // 3. Attribute networks, rebuilt from scratch.
  const edgesPerKind: Record<string, number> = Object.fromEntries(kinds.map((k) => [k, 0]));
  await timed('networks', () => Object.values(edgesPerKind).reduce((a, b) => a + b, 0), async () => {
    const kindParams = kinds.map((k) => ({ prefix: `${k}:`, rel: kindNames(k).rel }));
    await repo.deleteNetworkEdges(kindParams.map((k) => k.rel));
    const ids = plan.items.map((i) => i.id).sort();
    progress.start('networks', ids.length, 'items');
    for (let s = 0; s < ids.length; s += opts.networkBatchSize) {
      const created = await repo.buildNetworkEdges(ids.slice(s, s + opts.networkBatchSize), kindParams, opts.minSupport);
      for (const k of kinds) edgesPerKind[k] = (edgesPerKind[k] ?? 0) + (created.get(kindNames(k).rel) ?? 0);
      progress.tick(Math.min(s + opts.networkBatchSize, ids.length), edgesPerKind);
    }
    progress.finish(edgesPerKind);
  });

  if (options.topM !== undefined) {
    await timed('top-m', () => 0, async () => {
      const ids = plan.items.map((i) => i.id).sort();
      const step = opts.networkBatchSize * 4;
      for (const k of kinds) {
        const rel = kindNames(k).rel;
        progress.start(`top-${options.topM} ${k}`, ids.length * 2, 'items');
        for (let s = 0; s < ids.length; s += step) {
          await repo.markTopM(ids.slice(s, s + step), rel, options.topM!);
          progress.tick(Math.min(s + step, ids.length));
        }
        for (let s = 0; s < ids.length; s += step) {
          await repo.pruneUnmarked(ids.slice(s, s + step), rel);
          progress.tick(ids.length + Math.min(s + step, ids.length));
        }
        progress.finish();
      }
      const counts = await repo.countRelationships();
      for (const k of kinds) edgesPerKind[k] = counts.find((c) => c.type === kindNames(k).rel)?.count ?? 0;
    });
  }

  await repo.writeMeta({
    source: source.name,
    kinds,
    positiveThreshold: opts.positiveThreshold,
    minHistory: opts.minHistory,
    minSupport: opts.minSupport,
    topM: options.topM ?? null,
  });

  return {
    source: source.name,
    kinds,
    items: plan.items.length,
    attributeLinks: plan.links.length,
    interactionsRead: data.interactions.length,
    positives: plan.positives,
    usersImported: plan.users.length,
    usersDropped: plan.usersDropped,
    purchases: plan.purchases.length,
    heldOut: plan.heldOut.length,
    skippedRows: skipped.length,
    skipped: skipped.slice(0, 20),
    edgesPerKind,
    phases,
    totalSeconds: (Date.now() - began) / 1000,
  };
}

interface ImportPlan {
  readonly items: { id: string; title: string; year: number | null }[];
  readonly values: AttributeValueRow[];
  readonly links: ItemAttributeRow[];
  readonly users: string[];
  readonly purchases: PurchaseRow[];
  readonly heldOut: PurchaseRow[];
  readonly positives: number;
  readonly usersDropped: number;
}

/** Pure: from validated records to the rows each write batch sends. Same rules as buildAttributeNetworks. */
export function planImport(
  data: CollectedDataset,
  kinds: readonly string[],
  opts: { positiveThreshold: number; minHistory: number },
  heldOutPairs?: Iterable<{ readonly user: string; readonly item: string }>,
): ImportPlan {
  const items = dedupe(data.items, (i) => i.item).map((i) => ({ id: i.item, title: i.title, year: i.year ?? null }));
  const known = new Set(items.map((i) => i.id));
  const kindSet = new Set(kinds);

  const values = new Map<string, AttributeValueRow>();
  const links = new Map<string, ItemAttributeRow>();
  for (const a of data.attributes) {
    if (!kindSet.has(a.kind) || !known.has(a.item)) continue;
    const names = kindNames(a.kind);
    const uid = `${a.kind}:${a.value}`;
    if (!values.has(uid)) values.set(uid, { uid, kind: a.kind, id: a.value, name: a.name, label: names.label });
    const key = `${a.item}\u0000${uid}`;
    if (!links.has(key)) links.set(key, { item: a.item, uid, rel: names.has, rank: a.rank ?? null });
  }

  const held = new Set<string>();
  for (const p of heldOutPairs ?? []) held.add(`${p.user}\u0000${p.item}`);

  // Latest rating of a (user, item) pair wins: sources may repeat a pair.
  const positivesByUser = new Map<string, Map<string, PurchaseRow>>();
  for (const r of data.interactions) {
    if (!known.has(r.item)) continue;
    let mine = positivesByUser.get(r.user);
    if (mine === undefined) {
      mine = new Map();
      positivesByUser.set(r.user, mine);
    }
    const row = { user: r.user, item: r.item, rating: r.rating, at: r.timestamp ?? null };
    if (r.rating > opts.positiveThreshold) mine.set(r.item, row);
    else mine.delete(r.item);
  }

  const users: string[] = [];
  const purchases: PurchaseRow[] = [];
  const heldOut: PurchaseRow[] = [];
  let positives = 0;
  let usersDropped = 0;
  for (const [user, mine] of [...positivesByUser].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (mine.size < opts.minHistory) {
      usersDropped++;
      continue;
    }
    users.push(user);
    positives += mine.size;
    for (const row of mine.values()) (held.has(`${user}\u0000${row.item}`) ? heldOut : purchases).push(row);
  }
  return { items, values: [...values.values()], links: [...links.values()], users, purchases, heldOut, positives, usersDropped };
}

function* userBatches(
  users: readonly string[],
  purchases: readonly PurchaseRow[],
  heldOut: readonly PurchaseRow[],
  size: number,
): Generator<{ users: string[]; purchases: PurchaseRow[]; heldOut: PurchaseRow[] }> {
  // Rows are grouped by user (planImport emits them in user order), so a batch never splits a user.
  const byUser = new Map<string, { purchases: PurchaseRow[]; heldOut: PurchaseRow[] }>();
  for (const u of users) byUser.set(u, { purchases: [], heldOut: [] });
  for (const p of purchases) byUser.get(p.user)!.purchases.push(p);
  for (const h of heldOut) byUser.get(h.user)!.heldOut.push(h);
  let batch = { users: [] as string[], purchases: [] as PurchaseRow[], heldOut: [] as PurchaseRow[] };
  for (const u of users) {
    const rows = byUser.get(u)!;
    batch.users.push(u);
    batch.purchases.push(...rows.purchases);
    batch.heldOut.push(...rows.heldOut);
    if (batch.purchases.length + batch.heldOut.length >= size) {
      yield batch;
      batch = { users: [], purchases: [], heldOut: [] };
    }
  }
  if (batch.users.length > 0) yield batch;
}

function dedupe<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const row of rows) seen.set(key(row), row);
  return [...seen.values()];
}

function isLocated(source: DatasetSource): source is LocatedDatasetSource {
  return typeof (source as Partial<LocatedDatasetSource>).locatedInteractions === 'function';
}
