/**
 * Leave-one-out and cold-start splits, built once per seed and shared by every model, so that
 * all models see the same training data, the same held-out items and the same negatives.
 */
import type { InteractionRecord } from '../datasets/dataset.types';
import type { Rng } from '../datasets/rng';
import { type InteractionTable, pickRows, reindexTable, selectRows, sortedIds, tableFromRecords } from './interaction-table';
import { deriveSeed, randomIndex, streamRng } from './seeds';
import { buildTrainView, type Csr, type TrainView } from './train-view';
import { requireFinite, requireInteger } from './validate';

export const DEFAULT_POSITIVE_THRESHOLD = 3;
export const DEFAULT_MIN_POSITIVES = 5;
export const DEFAULT_NUM_NEGATIVES = 100;
export const DEFAULT_COLD_ITEMS = 40;
export const DEFAULT_MIN_BUYERS = 5;

export interface LooSplitOptions {
  readonly seed: number;
  /** A rating above this is a positive (default 3). */
  readonly positiveThreshold?: number;
  /** Users with fewer positives are not eligible (default 5). */
  readonly minPositives?: number;
  /** Sampled negatives per test user (default 100). */
  readonly numNegatives?: number;
  /**
   * Drop ineligible users with all their interactions (default true, as the attribute networks
   * do). The validation split keeps them in train instead.
   */
  readonly dropIneligible?: boolean;
  /** Fix the catalogue; default: the items of the kept users' interactions. */
  readonly itemIds?: readonly string[];
}

export interface SplitStats {
  readonly inputUsers: number;
  readonly eligibleUsers: number;
  readonly droppedUsers: number;
  readonly items: number;
  readonly trainRows: number;
  readonly trainPositives: number;
  readonly testUsers: number;
  /** Test users whose target was chosen by timestamp (the rest: at random, no timestamps). */
  readonly heldOutByTimestamp: number;
}

export interface LooSplit {
  readonly seed: number;
  readonly positiveThreshold: number;
  readonly minPositives: number;
  readonly numNegatives: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly train: InteractionTable;
  /** The held-out rows, one per test user. */
  readonly test: InteractionTable;
  /** Per user index: the held-out item, or -1 for a user without one. */
  readonly testItems: Int32Array;
  /** Per user: sampled items the user never interacted with (train or test), sorted. */
  readonly negatives: Csr;
  readonly view: TrainView;
  readonly stats: SplitStats;
}

/**
 * Per eligible user hold out one positive: the latest by timestamp (ties at random), or a random
 * one when the user's positives carry no timestamps. Everything else, non-positive ratings
 * included, stays in train.
 */
export function buildLooSplit(input: readonly InteractionRecord[] | InteractionTable, opts: LooSplitOptions): LooSplit {
  const threshold = requireFinite('buildLooSplit', 'positiveThreshold', opts.positiveThreshold ?? DEFAULT_POSITIVE_THRESHOLD);
  const minPositives = requireInteger('buildLooSplit', 'minPositives', opts.minPositives ?? DEFAULT_MIN_POSITIVES, 1);
  const numNegatives = requireInteger('buildLooSplit', 'numNegatives', opts.numNegatives ?? DEFAULT_NUM_NEGATIVES, 0);
  const source = isTable(input) ? input : tableFromRecords(input);
  const { table, inputUsers, eligible } = keepEligible(source, {
    threshold,
    minPositives,
    drop: opts.dropIneligible ?? true,
    itemIds: opts.itemIds,
  });

  const rng = streamRng(opts.seed, 'holdout');
  const rowsByUser = groupRowsByUser(table);
  const heldOut: number[] = [];
  let byTimestamp = 0;
  for (let u = 0; u < table.userIds.length; u++) {
    if (!eligible[u]) continue;
    const positives = rowsByUser[u].filter((r) => table.ratings[r] > threshold);
    const pick = chooseHeldOut(table, positives, rng);
    if (pick.byTimestamp) byTimestamp++;
    heldOut.push(pick.row);
  }
  const held = new Uint8Array(table.users.length);
  for (const r of heldOut) held[r] = 1;
  return assembleLooSplit({
    seed: opts.seed,
    positiveThreshold: threshold,
    minPositives,
    numNegatives,
    train: selectRows(table, (r) => !held[r]),
    test: pickRows(table, heldOut),
    negatives: sampleNegatives(table, rowsByUser, heldOut, numNegatives, streamRng(opts.seed, 'negatives')),
    inputUsers,
    heldOutByTimestamp: byTimestamp,
  });
}

export interface AssembleLooSplitInput {
  readonly seed: number;
  readonly positiveThreshold: number;
  readonly minPositives: number;
  readonly numNegatives: number;
  readonly train: InteractionTable;
  readonly test: InteractionTable;
  readonly negatives: Csr;
  readonly inputUsers?: number;
  readonly heldOutByTimestamp?: number;
}

/** A split from its parts (also how an imported split is rebuilt). Tables share id lists. */
export function assembleLooSplit(input: AssembleLooSplitInput): LooSplit {
  const { train, test } = input;
  const testItems = new Int32Array(train.userIds.length).fill(-1);
  for (let r = 0; r < test.users.length; r++) {
    if (testItems[test.users[r]] !== -1) throw new Error(`user ${train.userIds[test.users[r]]} has two held-out items`);
    testItems[test.users[r]] = test.items[r];
  }
  const view = buildTrainView(train, { positiveThreshold: input.positiveThreshold });
  let trainPositives = 0;
  for (const rating of train.ratings) if (rating > input.positiveThreshold) trainPositives++;
  const eligibleUsers = test.users.length;
  return {
    seed: input.seed,
    positiveThreshold: input.positiveThreshold,
    minPositives: input.minPositives,
    numNegatives: input.numNegatives,
    userIds: train.userIds,
    itemIds: train.itemIds,
    train,
    test,
    testItems,
    negatives: input.negatives,
    view,
    stats: {
      inputUsers: input.inputUsers ?? train.userIds.length,
      eligibleUsers,
      droppedUsers: (input.inputUsers ?? train.userIds.length) - train.userIds.length,
      items: train.itemIds.length,
      trainRows: train.users.length,
      trainPositives,
      testUsers: eligibleUsers,
      heldOutByTimestamp: input.heldOutByTimestamp ?? 0,
    },
  };
}

/**
 * The tuning split: hold out each user's latest *training* positive (their second-latest
 * overall). Users stay in train even when they have too few positives to be tested, and the
 * catalogue is unchanged, so the validation problem has the shape of the test problem.
 */
export function buildValidationSplit(split: LooSplit): LooSplit {
  return buildLooSplit(split.train, {
    seed: deriveSeed(split.seed, 'validation'),
    positiveThreshold: split.positiveThreshold,
    minPositives: 2,
    numNegatives: split.numNegatives,
    dropIneligible: false,
  });
}

export interface ColdStartOptions {
  readonly seed: number;
  /** Items held out with all their interactions (default 40, as the paper). */
  readonly numItems?: number;
  /** Only items with at least this many buyers (positive raters) are held out (default 5). */
  readonly minBuyers?: number;
  readonly positiveThreshold?: number;
  readonly minPositives?: number;
  readonly dropIneligible?: boolean;
  /** Items that may be held out, e.g. those with attributes of every kind (cold start needs them). */
  readonly itemFilter?: (itemId: string) => boolean;
  /** Hold out exactly these items (an imported split) instead of drawing them. */
  readonly coldItemIds?: readonly string[];
}

export interface ColdStartSplit {
  readonly seed: number;
  readonly positiveThreshold: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Every interaction except those with the held-out items. */
  readonly train: InteractionTable;
  readonly view: TrainView;
  /** Held-out item indexes, ascending. */
  readonly coldItems: Int32Array;
  /** Per held-out item (aligned with coldItems): the users who bought it, ascending. */
  readonly buyers: readonly Int32Array[];
  /** How many items qualified to be held out. */
  readonly candidateItems: number;
}

/**
 * Hold out items with all their interactions (paper 5.2). The users ranked for a held-out item
 * are all users of the split; its buyers are those who rated it positively.
 */
export function buildColdStartSplit(input: readonly InteractionRecord[] | InteractionTable, opts: ColdStartOptions): ColdStartSplit {
  const threshold = requireFinite('buildColdStartSplit', 'positiveThreshold', opts.positiveThreshold ?? DEFAULT_POSITIVE_THRESHOLD);
  const wantedItems = requireInteger('buildColdStartSplit', 'numItems', opts.numItems ?? DEFAULT_COLD_ITEMS, 1);
  const source = isTable(input) ? input : tableFromRecords(input);
  const { table } = keepEligible(source, {
    threshold,
    minPositives: requireInteger('buildColdStartSplit', 'minPositives', opts.minPositives ?? DEFAULT_MIN_POSITIVES, 0),
    drop: opts.dropIneligible ?? true,
  });
  const numItems = table.itemIds.length;
  const buyerCount = new Int32Array(numItems);
  for (let r = 0; r < table.users.length; r++) if (table.ratings[r] > threshold) buyerCount[table.items[r]]++;
  const minBuyers = requireInteger('buildColdStartSplit', 'minBuyers', opts.minBuyers ?? DEFAULT_MIN_BUYERS, 1);
  const candidates: number[] = [];
  for (let i = 0; i < numItems; i++) {
    if (buyerCount[i] >= minBuyers && (opts.itemFilter?.(table.itemIds[i]) ?? true)) candidates.push(i);
  }
  let chosen: number[];
  if (opts.coldItemIds) {
    const wanted = new Set(opts.coldItemIds);
    chosen = [];
    table.itemIds.forEach((id, i) => wanted.has(id) && chosen.push(i));
    if (chosen.length !== wanted.size) throw new Error('cold-start items not all in the catalogue');
  } else {
    chosen = streamRng(opts.seed, 'cold-start').sample(candidates, wantedItems);
  }
  const coldItems = Int32Array.from(chosen).sort();
  const isCold = new Uint8Array(numItems);
  for (const i of coldItems) isCold[i] = 1;
  const buyerLists = new Map<number, number[]>(Array.from(coldItems, (i) => [i, []]));
  for (let r = 0; r < table.users.length; r++) {
    if (isCold[table.items[r]] && table.ratings[r] > threshold) buyerLists.get(table.items[r])!.push(table.users[r]);
  }
  const train = selectRows(table, (r) => !isCold[table.items[r]]);
  return {
    seed: opts.seed,
    positiveThreshold: threshold,
    userIds: table.userIds,
    itemIds: table.itemIds,
    train,
    view: buildTrainView(train, { positiveThreshold: threshold }),
    coldItems,
    buyers: Array.from(coldItems, (i) => Int32Array.from(buyerLists.get(i)!).sort()),
    candidateItems: candidates.length,
  };
}

/** The tuning split for cold-start models: hold out further items from the cold-start train. */
export function buildColdStartValidationSplit(split: ColdStartSplit, opts: Omit<ColdStartOptions, 'seed'>): ColdStartSplit {
  return buildColdStartSplit(split.train, {
    ...opts,
    seed: deriveSeed(split.seed, 'cold-validation'),
    positiveThreshold: split.positiveThreshold,
    dropIneligible: false,
    coldItemIds: undefined,
  });
}

function isTable(input: readonly InteractionRecord[] | InteractionTable): input is InteractionTable {
  return !Array.isArray(input);
}

interface Eligibility {
  readonly table: InteractionTable;
  readonly inputUsers: number;
  /** Per user index of `table`. */
  readonly eligible: Uint8Array;
}

function keepEligible(source: InteractionTable, o: { threshold: number; minPositives: number; drop: boolean; itemIds?: readonly string[] }): Eligibility {
  const counts = new Int32Array(source.userIds.length);
  for (let r = 0; r < source.users.length; r++) if (source.ratings[r] > o.threshold) counts[source.users[r]]++;
  const isEligible = (u: number): boolean => counts[u] >= o.minPositives && counts[u] > 0;
  if (!o.drop) {
    const table = o.itemIds ? reindexTable(source, source.userIds, o.itemIds) : source;
    return { table, inputUsers: source.userIds.length, eligible: Uint8Array.from(source.userIds, (_, u) => +isEligible(u)) };
  }
  const kept = selectRows(source, (r) => isEligible(source.users[r]));
  const userIds = sortedIds(Array.from(kept.users, (u) => source.userIds[u]));
  const itemIds = o.itemIds ?? sortedIds(Array.from(kept.items, (i) => source.itemIds[i]));
  const table = reindexTable(kept, userIds, itemIds);
  return { table, inputUsers: source.userIds.length, eligible: new Uint8Array(userIds.length).fill(1) };
}

function groupRowsByUser(table: InteractionTable): number[][] {
  const out: number[][] = table.userIds.map(() => []);
  for (let r = 0; r < table.users.length; r++) out[table.users[r]].push(r);
  return out;
}

function chooseHeldOut(table: InteractionTable, positives: readonly number[], rng: Rng): { row: number; byTimestamp: boolean } {
  const timed = positives.filter((r) => !Number.isNaN(table.timestamps[r]));
  if (timed.length === 0) return { row: positives[randomIndex(rng, positives.length)], byTimestamp: false };
  let latest = -Infinity;
  for (const r of timed) latest = Math.max(latest, table.timestamps[r]);
  // Rows are in source order; sort the ties by item so the draw does not depend on file order.
  const ties = timed.filter((r) => table.timestamps[r] === latest).sort((a, b) => table.items[a] - table.items[b]);
  return { row: ties[ties.length === 1 ? 0 : randomIndex(rng, ties.length)], byTimestamp: true };
}

// Uniform without replacement from the catalogue minus everything the user touched.
function sampleNegatives(table: InteractionTable, rowsByUser: readonly number[][], heldOut: readonly number[], count: number, rng: Rng): Csr {
  const numItems = table.itemIds.length;
  const numUsers = table.userIds.length;
  const mark = new Int32Array(numItems).fill(-1);
  const lists: Int32Array[] = Array.from({ length: numUsers }, () => new Int32Array(0));
  const testUsers = Array.from(heldOut, (r) => table.users[r]).sort((a, b) => a - b);
  for (const u of testUsers) {
    for (const r of rowsByUser[u]) mark[table.items[r]] = u;
    const available = numItems - rowsByUser[u].length;
    const take = Math.min(count, available);
    const out = new Int32Array(take);
    if (take === available) {
      let k = 0;
      for (let i = 0; i < numItems; i++) if (mark[i] !== u) out[k++] = i;
    } else {
      // Rejection sampling: a user touches a small share of the catalogue, so few draws repeat.
      let k = 0;
      while (k < take) {
        const i = randomIndex(rng, numItems);
        if (mark[i] === u) continue;
        mark[i] = u;
        out[k++] = i;
      }
    }
    lists[u] = out.sort();
  }
  const indptr = new Int32Array(numUsers + 1);
  lists.forEach((l, u) => (indptr[u + 1] = indptr[u] + l.length));
  const indices = new Int32Array(indptr[numUsers]);
  lists.forEach((l, u) => indices.set(l, indptr[u]));
  return { indptr, indices };
}
