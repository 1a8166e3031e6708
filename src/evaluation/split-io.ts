/**
 * Split files, so that another tool (or another run) evaluates on exactly the same problem:
 *   train.csv              user,item,rating,timestamp   every training interaction
 *   test.csv               user,item,rating,timestamp   the held-out target per user
 *                          (rating and timestamp are extras; readers may use user,item only)
 *   negatives.csv          user,item                    one row per sampled negative
 *   cold-start-items.csv   item                         the items held out for cold start (optional)
 *   split.json             seed and options the split was built with
 * Ids are written as in the source data; an empty timestamp means none. Reading these files back
 * rebuilds identical indexes (ids are sorted, not taken in file order), hence identical metrics.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/write-file-atomic';
import { columnIndexes, csvLine, readCsvFile } from './csv';
import { indexOfIds, type InteractionTable, sortedIds } from './interaction-table';
import { assembleLooSplit, type ColdStartSplit, DEFAULT_MIN_POSITIVES, DEFAULT_POSITIVE_THRESHOLD, type LooSplit } from './split';
import type { Csr } from './train-view';
import { row } from './train-view';

export const SPLIT_FILES = {
  train: 'train.csv',
  test: 'test.csv',
  negatives: 'negatives.csv',
  coldStartItems: 'cold-start-items.csv',
  meta: 'split.json',
} as const;

export interface SplitMeta {
  readonly format: 'eran-eval-split/1';
  readonly seed: number;
  readonly positiveThreshold: number;
  readonly minPositives: number;
  readonly numNegatives: number;
}

export interface ImportedSplit {
  readonly loo: LooSplit;
  /** The cold-start items, when the export had them. */
  readonly coldItemIds?: readonly string[];
}

export async function exportSplit(split: LooSplit, dir: string, coldStart?: ColdStartSplit): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, SPLIT_FILES.train), tableCsv(split.train));
  await writeFileAtomic(join(dir, SPLIT_FILES.test), tableCsv(split.test));
  let negatives = csvLine(['user', 'item']);
  for (let u = 0; u < split.userIds.length; u++) {
    for (const i of row(split.negatives, u)) negatives += csvLine([split.userIds[u], split.itemIds[i]]);
  }
  await writeFileAtomic(join(dir, SPLIT_FILES.negatives), negatives);
  if (coldStart) {
    const lines = [csvLine(['item']), ...Array.from(coldStart.coldItems, (i) => csvLine([coldStart.itemIds[i]]))];
    await writeFileAtomic(join(dir, SPLIT_FILES.coldStartItems), lines.join(''));
  }
  const meta: SplitMeta = {
    format: 'eran-eval-split/1',
    seed: split.seed,
    positiveThreshold: split.positiveThreshold,
    minPositives: split.minPositives,
    numNegatives: split.numNegatives,
  };
  await writeFileAtomic(join(dir, SPLIT_FILES.meta), JSON.stringify(meta, null, 2) + '\n');
}

export interface ImportSplitOptions {
  /** Used when split.json is absent (a split written by another tool). */
  readonly seed?: number;
  readonly positiveThreshold?: number;
}

export async function importSplit(dir: string, opts: ImportSplitOptions = {}): Promise<ImportedSplit> {
  const meta = await readMeta(dir);
  const train = await readRows(join(dir, SPLIT_FILES.train), true);
  const test = await readRows(join(dir, SPLIT_FILES.test), false);
  const negatives = await readRows(join(dir, SPLIT_FILES.negatives), false);
  const userIds = sortedIds([...train.users, ...test.users]);
  const itemIds = sortedIds([...train.items, ...test.items, ...negatives.items]);
  const userIndex = indexOfIds(userIds);
  const itemIndex = indexOfIds(itemIds);
  const toTable = (rows: ParsedRows): InteractionTable => ({
    userIds,
    itemIds,
    users: Int32Array.from(rows.users, (u) => userIndex.get(u)!),
    items: Int32Array.from(rows.items, (i) => itemIndex.get(i)!),
    ratings: Float64Array.from(rows.ratings),
    timestamps: Float64Array.from(rows.timestamps),
  });
  const negLists: number[][] = userIds.map(() => []);
  negatives.users.forEach((u, k) => {
    const ui = userIndex.get(u);
    if (ui === undefined) throw new Error(`${SPLIT_FILES.negatives}: user ${u} is in neither train nor test`);
    negLists[ui].push(itemIndex.get(negatives.items[k])!);
  });
  const negCsr = toCsr(negLists);
  const numNegatives = meta?.numNegatives ?? Math.max(0, ...negLists.map((l) => l.length));
  const coldItemIds = await readColdItems(join(dir, SPLIT_FILES.coldStartItems));
  const loo = assembleLooSplit({
    seed: meta?.seed ?? opts.seed ?? 0,
    positiveThreshold: meta?.positiveThreshold ?? opts.positiveThreshold ?? DEFAULT_POSITIVE_THRESHOLD,
    minPositives: meta?.minPositives ?? DEFAULT_MIN_POSITIVES,
    numNegatives,
    train: toTable(train),
    test: toTable(test),
    negatives: negCsr,
  });
  return coldItemIds ? { loo, coldItemIds } : { loo };
}

/** Train and test rows together: every interaction of the split's users (to rebuild a cold-start split). */
export function allInteractions(split: LooSplit): InteractionTable {
  const cat = <T extends Int32Array | Float64Array>(a: T, b: T, make: (n: number) => T): T => {
    const out = make(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const { train, test } = split;
  // A test row read from a file without ratings is a positive by construction.
  const testRatings = Float64Array.from(test.ratings, (r) => (Number.isNaN(r) ? split.positiveThreshold + 1 : r));
  return {
    userIds: train.userIds,
    itemIds: train.itemIds,
    users: cat(train.users, test.users, (n) => new Int32Array(n)),
    items: cat(train.items, test.items, (n) => new Int32Array(n)),
    ratings: cat(train.ratings, testRatings, (n) => new Float64Array(n)),
    timestamps: cat(train.timestamps, test.timestamps, (n) => new Float64Array(n)),
  };
}

function tableCsv(table: InteractionTable): string {
  const parts = [csvLine(['user', 'item', 'rating', 'timestamp'])];
  for (let r = 0; r < table.users.length; r++) {
    parts.push(csvLine([table.userIds[table.users[r]], table.itemIds[table.items[r]], table.ratings[r], table.timestamps[r]]));
  }
  return parts.join('');
}

interface ParsedRows {
  users: string[];
  items: string[];
  ratings: number[];
  timestamps: number[];
}

async function readRows(path: string, ratingRequired: boolean): Promise<ParsedRows> {
  const table = await readCsvFile(path);
  const col = columnIndexes(table, path, ratingRequired ? ['user', 'item', 'rating'] : ['user', 'item'], ['rating', 'timestamp']);
  const out: ParsedRows = { users: [], items: [], ratings: [], timestamps: [] };
  table.rows.forEach((r, k) => {
    const num = (at: number, name: string): number => {
      if (at < 0 || r[at] === undefined || r[at] === '') return NaN;
      const v = Number(r[at]);
      if (!Number.isFinite(v)) throw new Error(`${path}:${k + 2}: field "${name}" is not a number: ${r[at]}`);
      return v;
    };
    out.users.push(r[col.user]);
    out.items.push(r[col.item]);
    out.ratings.push(num(col.rating, 'rating'));
    out.timestamps.push(num(col.timestamp, 'timestamp'));
  });
  return out;
}

async function readMeta(dir: string): Promise<SplitMeta | undefined> {
  try {
    return JSON.parse(await fs.readFile(join(dir, SPLIT_FILES.meta), 'utf8')) as SplitMeta;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readColdItems(path: string): Promise<string[] | undefined> {
  try {
    const table = await readCsvFile(path);
    const col = columnIndexes(table, path, ['item']);
    return table.rows.map((r) => r[col.item]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function toCsr(lists: number[][]): Csr {
  const indptr = new Int32Array(lists.length + 1);
  lists.forEach((l, u) => (indptr[u + 1] = indptr[u] + l.length));
  const indices = new Int32Array(indptr[lists.length]);
  lists.forEach((l, u) => indices.set(Int32Array.from(l).sort(), indptr[u]));
  return { indptr, indices };
}
