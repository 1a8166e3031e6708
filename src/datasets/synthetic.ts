/**
 * A seeded synthetic movie world whose users are driven by planted attribute preferences.
 *
 * Each user has one driver kind (actor, director or genre; users are split evenly) and a few
 * favourite values of that kind (2-3 actors, 1-2 directors or 1 genre). Most of a user's
 * purchases are items carrying one of those favourites, rated 4-5; a `noise` fraction are
 * popularity-weighted random items rated 1-5 (as are the driven purchases a user's favourites
 * cannot supply any more). The signal is strong enough for an attribute-aware model to recover
 * the driver, but not trivial: items have 1-3 genres drawn from a skewed distribution (genre
 * pools overlap), actors are shared across many items, and item popularity is Zipf-like, so
 * popular items show up in every kind of user's history.
 *
 * The world is generated as columns (typed arrays: `WorldTables`) so that catalogue-scale worlds
 * (100k items, 50k users, millions of purchases) take seconds and no object per purchase:
 * weighted draws are binary searches in cumulative weights, without-replacement draws reject
 * repeats. `generateMovieWorld` turns small worlds into records for tests and the in-memory paths;
 * `worldTablesSource` streams a large one into the importer record by record.
 */
import { mkdir } from 'fs/promises';
import { join } from 'path';
import { csvField, writeCsvLines } from '../common/csv-writer';
import { GrowableArray } from '../common/growable-array';
import { createRng, Rng } from './rng';
import type { AttributeRecord, InteractionRecord, ItemRecord } from './dataset.types';
import { Located, LocatedDatasetSource, locatedSource } from './located';
import { CSV_FILES } from './csv-dataset';

export type SyntheticKind = 'actor' | 'director' | 'genre';

export const SYNTHETIC_KINDS: readonly SyntheticKind[] = ['actor', 'director', 'genre'];

export interface SyntheticWorldOptions {
  readonly seed?: number;
  readonly users?: number;
  readonly items?: number;
  readonly actors?: number;
  readonly directors?: number;
  readonly genres?: number;
  readonly actorsPerItem?: number;
  /** Inclusive range of purchases per user. */
  readonly purchasesPerUser?: readonly [number, number];
  /** Fraction of purchases that ignore the user's driver (popularity-weighted, rated 1-5). */
  readonly noise?: number;
  readonly withTimestamps?: boolean;
}

export interface SyntheticWorld {
  readonly items: ItemRecord[];
  readonly attributes: AttributeRecord[];
  readonly interactions: InteractionRecord[];
  /** User id -> the planted driver kind. */
  readonly drivers: ReadonlyMap<string, SyntheticKind>;
  /** User id -> the favourite value ids (of the driver kind). */
  readonly favourites: ReadonlyMap<string, readonly string[]>;
}

/** One attribute kind as CSR: item i carries values[ptr[i] .. ptr[i+1]) (actors in billing order). */
export interface KindTable {
  readonly kind: SyntheticKind;
  readonly valueCount: number;
  readonly ptr: Int32Array;
  readonly values: Int32Array;
}

/**
 * A generated world as columns. Ids are derived, never stored: item i is `String(i + 1)`, user u
 * is `String(u + 1)`, value v of kind k is `${k}-${v + 1}`.
 */
export interface WorldTables {
  readonly items: number;
  readonly users: number;
  readonly withTimestamps: boolean;
  readonly years: Uint16Array;
  /** In SYNTHETIC_KINDS order. */
  readonly kinds: readonly KindTable[];
  /** User u's purchases are rows userPtr[u] .. userPtr[u+1], in time order. */
  readonly userPtr: Int32Array;
  readonly purchaseItem: Int32Array;
  readonly purchaseRating: Uint8Array;
  /** Unix seconds. */
  readonly purchaseTime: Uint32Array;
  /** User u's driver: an index into SYNTHETIC_KINDS. */
  readonly drivers: Uint8Array;
  /** User u's favourite values (of the driver kind, ascending): favourites[favouritePtr[u] .. favouritePtr[u+1]). */
  readonly favouritePtr: Int32Array;
  readonly favourites: Int32Array;
}

const DEFAULTS = {
  seed: 42,
  users: 200,
  items: 300,
  actors: 120,
  directors: 20,
  genres: 12,
  actorsPerItem: 4,
  purchasesPerUser: [10, 25] as const,
  noise: 0.15,
  withTimestamps: true,
};

const GENRE_NAMES = [
  'Drama',
  'Comedy',
  'Action',
  'Thriller',
  'Romance',
  'Adventure',
  'Crime',
  'Sci-Fi',
  'Horror',
  'Fantasy',
  'Animation',
  'Documentary',
  'Mystery',
  'War',
  'Western',
  'Musical',
];

/** Purchases start here (2001-01-01) and advance by up to a day each. */
const EPOCH_START = 978_307_200;
/** A favourite must be carried by at least this many items, else the user could not be driven by it. */
const MIN_FAVOURITE_ITEMS = 3;
/**
 * Repeats rejected in a row before a without-replacement draw gives up on the fast path and
 * scans what is left (exact, slower).
 */
const MAX_REJECTIONS = 16;

type Resolved = Omit<Required<SyntheticWorldOptions>, 'purchasesPerUser'> & {
  purchasesPerUser: readonly [number, number];
};

/**
 * Options for a catalogue-scale world of the given size: one actor per 10 items, one director per
 * 100 (so a favourite director can drive a user's ~100 purchases), 16 genres (a dense genre
 * network, like real catalogues), 50-150 purchases per user (100 on average: 50k users buy ~5M).
 */
export function scaledWorldOptions(size: { readonly items: number; readonly users: number; readonly seed?: number }): SyntheticWorldOptions {
  return {
    seed: size.seed ?? DEFAULTS.seed,
    items: size.items,
    users: size.users,
    actors: Math.max(DEFAULTS.actorsPerItem, Math.round(size.items / 10)),
    directors: Math.max(1, Math.round(size.items / 100)),
    genres: GENRE_NAMES.length,
    purchasesPerUser: [Math.min(50, size.items), Math.min(150, size.items)],
  };
}

/**
 * Options for a bigger world with the default world's proportions: actors and directors grow
 * with the catalogue (0.4 and 1/15 per item), so a value is carried by as many items as in the
 * default world instead of by ever more.
 */
export function proportionalWorldOptions(users: number, items: number, purchasesPerUser?: readonly [number, number], seed?: number): SyntheticWorldOptions {
  const scale = items / DEFAULTS.items;
  return {
    users,
    items,
    actors: Math.max(DEFAULTS.actors, Math.round(DEFAULTS.actors * scale)),
    directors: Math.max(DEFAULTS.directors, Math.round(DEFAULTS.directors * scale)),
    genres: GENRE_NAMES.length,
    ...(purchasesPerUser ? { purchasesPerUser } : {}),
    ...(seed === undefined ? {} : { seed }),
  };
}

export function generateWorldTables(opts: SyntheticWorldOptions = {}): WorldTables {
  const o = resolveOptions(opts);
  const rng = createRng(o.seed);
  const catalogue = buildCatalogue(o, rng);
  const popularity = zipfWeights(o.items, 0.8, rng);
  const anyItem = new CumulativeWeights(popularity);
  const pools = catalogue.kinds.map((table) => valuePools(table, popularity));

  const drivers = new Uint8Array(o.users);
  const driverOrder = rng.shuffle(Array.from({ length: o.users }, (_, u) => u % 3));
  const favouritePtr = new Int32Array(o.users + 1);
  const favourites = new GrowableArray(Int32Array);
  const userPtr = new Int32Array(o.users + 1);
  const purchaseItem = new GrowableArray(Int32Array);
  const purchaseRating = new GrowableArray(Uint8Array);
  const purchaseTime = new GrowableArray(Uint32Array);
  // bought[i] === u + 1: user u already bought item i (a stamp, so it never needs clearing).
  const bought = new Int32Array(o.items);
  const eligible = pools.map((p) => p.eligible());

  for (let u = 0; u < o.users; u++) {
    const k = driverOrder[u];
    drivers[u] = k;
    const favs = chooseFavourites(SYNTHETIC_KINDS[k], eligible[k], rng);
    favourites.pushAll(favs);
    favouritePtr[u + 1] = favourites.length;
    const pool = pools[k];
    const favWeights = new CumulativeWeights(Float64Array.from(favs, (v) => pool.total(v)));
    let favouritesLeft = favWeights.total > 0;
    // Once random draws keep hitting bought favourites, exact scans of what is left are cheaper.
    let scanFavourites = false;

    const count = rng.int(o.purchasesPerUser[0], Math.min(o.purchasesPerUser[1], o.items));
    let time = EPOCH_START + rng.int(0, 365 * 86_400);
    for (let p = 0; p < count; p++) {
      let item = -1;
      if (rng.next() >= o.noise && favouritesLeft) {
        if (!scanFavourites) item = drawNew(() => pool.draw(favs[favWeights.draw(rng)], rng), bought, u + 1);
        if (item < 0) {
          scanFavourites = true;
          item = pool.scanNew(favs, popularity, bought, u + 1, rng);
        }
        favouritesLeft = item >= 0;
      }
      const driven = item >= 0;
      if (item < 0) item = drawNew(() => anyItem.draw(rng), bought, u + 1);
      if (item < 0) item = scanNew(popularity, bought, u + 1, rng);
      bought[item] = u + 1;
      purchaseItem.push(item);
      purchaseRating.push(driven ? rng.int(4, 5) : rng.int(1, 5));
      time += rng.int(60, 86_400);
      purchaseTime.push(time);
    }
    userPtr[u + 1] = purchaseItem.length;
  }
  return {
    items: o.items,
    users: o.users,
    withTimestamps: o.withTimestamps,
    years: catalogue.years,
    kinds: catalogue.kinds,
    userPtr,
    purchaseItem: purchaseItem.toArray(),
    purchaseRating: purchaseRating.toArray(),
    purchaseTime: purchaseTime.toArray(),
    drivers,
    favouritePtr,
    favourites: favourites.toArray(),
  };
}

/** The world as records (small worlds: tests, evaluation, the demo). */
export function generateMovieWorld(opts: SyntheticWorldOptions = {}): SyntheticWorld {
  const tables = generateWorldTables(opts);
  const items: ItemRecord[] = [];
  const attributes: AttributeRecord[] = [];
  for (let i = 0; i < tables.items; i++) {
    items.push(itemRecord(tables, i));
    for (const table of tables.kinds) appendAttributes(table, i, attributes);
  }
  const interactions: InteractionRecord[] = [];
  const drivers = new Map<string, SyntheticKind>();
  const favourites = new Map<string, readonly string[]>();
  for (let u = 0; u < tables.users; u++) {
    const user = userId(u);
    const kind = SYNTHETIC_KINDS[tables.drivers[u]];
    drivers.set(user, kind);
    favourites.set(
      user,
      Array.from(tables.favourites.subarray(tables.favouritePtr[u], tables.favouritePtr[u + 1]), (v) => valueId(kind, v)),
    );
    for (let r = tables.userPtr[u]; r < tables.userPtr[u + 1]; r++) interactions.push(interactionRecord(tables, u, r));
  }
  return { items, attributes, interactions, drivers, favourites };
}

export function userId(index: number): string {
  return String(index + 1);
}

export function itemId(index: number): string {
  return String(index + 1);
}

export function valueId(kind: SyntheticKind, index: number): string {
  return `${kind}-${index + 1}`;
}

export function valueName(kind: SyntheticKind, index: number): string {
  if (kind === 'genre') return GENRE_NAMES[index] ?? `Genre ${index + 1}`;
  return kind === 'actor' ? `Actor ${index + 1}` : `Director ${index + 1}`;
}

function itemRecord(tables: WorldTables, i: number): ItemRecord {
  return { item: itemId(i), title: `Movie ${i + 1}`, year: tables.years[i] };
}

function appendAttributes(table: KindTable, i: number, out: AttributeRecord[]): void {
  for (let p = table.ptr[i]; p < table.ptr[i + 1]; p++) {
    const v = table.values[p];
    const rank = table.kind === 'actor' ? p - table.ptr[i] + 1 : undefined;
    out.push({ item: itemId(i), kind: table.kind, value: valueId(table.kind, v), name: valueName(table.kind, v), ...(rank ? { rank } : {}) });
  }
}

function interactionRecord(tables: WorldTables, u: number, r: number): InteractionRecord {
  return {
    user: userId(u),
    item: itemId(tables.purchaseItem[r]),
    rating: tables.purchaseRating[r],
    ...(tables.withTimestamps ? { timestamp: tables.purchaseTime[r] } : {}),
  };
}

/**
 * A DatasetSource over a generated world, so it goes through the same code paths as files.
 * Located records name `synthetic:<stream>` and the 1-based position as the line.
 */
export function syntheticSource(world: SyntheticWorld): LocatedDatasetSource {
  return locatedSource({
    name: 'synthetic',
    kinds: SYNTHETIC_KINDS,
    items: () => iterate('synthetic:items', world.items),
    attributes: () => iterate('synthetic:attributes', world.attributes),
    interactions: () => iterate('synthetic:interactions', world.interactions),
  });
}

/** The same source over columns: records are made one at a time as they are read, never all at once. */
export function worldTablesSource(tables: WorldTables, name = 'synthetic'): LocatedDatasetSource {
  return locatedSource({
    name,
    kinds: SYNTHETIC_KINDS,
    items: async function* () {
      for (let i = 0; i < tables.items; i++) yield { record: itemRecord(tables, i), file: 'synthetic:items', line: i + 1 };
    },
    attributes: async function* () {
      let line = 0;
      const batch: AttributeRecord[] = [];
      for (let i = 0; i < tables.items; i++) {
        batch.length = 0;
        for (const table of tables.kinds) appendAttributes(table, i, batch);
        for (const record of batch) yield { record, file: 'synthetic:attributes', line: ++line };
      }
    },
    interactions: async function* () {
      for (let u = 0; u < tables.users; u++) {
        for (let r = tables.userPtr[u]; r < tables.userPtr[u + 1]; r++) {
          yield { record: interactionRecord(tables, u, r), file: 'synthetic:interactions', line: r + 1 };
        }
      }
    },
  });
}

/** Writes the world in the generic CSV layout (streamed: memory does not grow with the purchases). */
export async function writeWorldCsv(tables: WorldTables, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeCsvLines(
    join(dir, CSV_FILES.items),
    'item,title,year',
    (function* () {
      for (let i = 0; i < tables.items; i++) yield `${itemId(i)},Movie ${i + 1},${tables.years[i]}`;
    })(),
  );
  await writeCsvLines(
    join(dir, CSV_FILES.attributes),
    'item,kind,value,name,rank',
    (function* () {
      const batch: AttributeRecord[] = [];
      for (let i = 0; i < tables.items; i++) {
        batch.length = 0;
        for (const table of tables.kinds) appendAttributes(table, i, batch);
        for (const a of batch) yield [a.item, a.kind, a.value, a.name, a.rank].map(csvField).join(',');
      }
    })(),
  );
  await writeCsvLines(
    join(dir, CSV_FILES.interactions),
    tables.withTimestamps ? 'user,item,rating,timestamp' : 'user,item,rating',
    (function* () {
      for (let u = 0; u < tables.users; u++) {
        for (let r = tables.userPtr[u]; r < tables.userPtr[u + 1]; r++) {
          const base = `${userId(u)},${itemId(tables.purchaseItem[r])},${tables.purchaseRating[r]}`;
          yield tables.withTimestamps ? `${base},${tables.purchaseTime[r]}` : base;
        }
      }
    })(),
  );
}

async function* iterate<T>(file: string, records: readonly T[]): AsyncGenerator<Located<T>> {
  for (let i = 0; i < records.length; i++) yield { record: records[i], file, line: i + 1 };
}

function resolveOptions(opts: SyntheticWorldOptions): Resolved {
  const o: Resolved = { ...DEFAULTS, ...opts };
  const positive: Array<keyof Resolved> = ['users', 'items', 'actors', 'directors', 'genres', 'actorsPerItem'];
  for (const key of positive) {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`generateMovieWorld: ${key} must be a positive integer, got ${String(v)}`);
    }
  }
  if (o.actorsPerItem > o.actors) {
    throw new RangeError(`generateMovieWorld: actorsPerItem (${o.actorsPerItem}) exceeds actors (${o.actors})`);
  }
  const [min, max] = o.purchasesPerUser;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
    throw new RangeError(`generateMovieWorld: purchasesPerUser must be [min, max] with 1 <= min <= max, got [${min}, ${max}]`);
  }
  if (!(o.noise >= 0 && o.noise <= 1)) {
    throw new RangeError(`generateMovieWorld: noise must be in [0, 1], got ${o.noise}`);
  }
  return o;
}

interface Catalogue {
  years: Uint16Array;
  kinds: KindTable[];
}

function buildCatalogue(o: Resolved, rng: Rng): Catalogue {
  // Skewed value popularity: a few prolific actors and big genres, many small ones.
  const actorWeights = new CumulativeWeights(zipfWeights(o.actors, 0.5, rng));
  const directorWeights = new CumulativeWeights(zipfWeights(o.directors, 0.3, rng));
  const genreWeights = new CumulativeWeights(zipfWeights(o.genres, 0.7, rng));
  const years = new Uint16Array(o.items);
  const builders = SYNTHETIC_KINDS.map(() => ({ ptr: new Int32Array(o.items + 1), values: new GrowableArray(Int32Array) }));
  const [actors, directors, genres] = builders;
  for (let i = 0; i < o.items; i++) {
    years[i] = rng.int(1950, 2020);
    actors.values.pushAll(actorWeights.drawDistinct(o.actorsPerItem, rng));
    directors.values.push(directorWeights.draw(rng));
    genres.values.pushAll(genreWeights.drawDistinct(Math.min(o.genres, rng.int(1, 3)), rng));
    for (const b of builders) b.ptr[i + 1] = b.values.length;
  }
  const counts = [o.actors, o.directors, o.genres];
  return {
    years,
    kinds: SYNTHETIC_KINDS.map((kind, k) => ({ kind, valueCount: counts[k], ptr: builders[k].ptr, values: builders[k].values.toArray() })),
  };
}

/** Per value of one kind: the items carrying it with cumulative popularity, to draw a favourite's item. */
interface ValuePools {
  total(value: number): number;
  draw(value: number, rng: Rng): number;
  /** Like draw over several values at once, among items not bought yet (a scan; -1 when none is left). */
  scanNew(values: Int32Array, popularity: Float64Array, bought: Int32Array, stamp: number, rng: Rng): number;
  /** Values carried by at least MIN_FAVOURITE_ITEMS items (all values when none is). */
  eligible(): Int32Array;
}

function valuePools(table: KindTable, popularity: Float64Array): ValuePools {
  // Transpose item -> values into value -> items (items ascending), with running popularity sums.
  const ptr = new Int32Array(table.valueCount + 1);
  for (let p = 0; p < table.values.length; p++) ptr[table.values[p] + 1]++;
  for (let v = 0; v < table.valueCount; v++) ptr[v + 1] += ptr[v];
  const fill = ptr.slice(0, table.valueCount);
  const items = new Int32Array(table.values.length);
  for (let i = 0; i + 1 < table.ptr.length; i++) {
    for (let p = table.ptr[i]; p < table.ptr[i + 1]; p++) items[fill[table.values[p]]++] = i;
  }
  const cumulative = new Float64Array(items.length);
  for (let v = 0; v < table.valueCount; v++) {
    let sum = 0;
    for (let p = ptr[v]; p < ptr[v + 1]; p++) cumulative[p] = sum += popularity[items[p]];
  }
  return {
    total: (v) => (ptr[v + 1] > ptr[v] ? cumulative[ptr[v + 1] - 1] : 0),
    draw: (v, rng) => {
      const start = ptr[v];
      const end = ptr[v + 1];
      // Running sums restart at each value: the value's slice ends with its total.
      const target = rng.next() * cumulative[end - 1];
      return items[Math.min(end - 1, firstAbove(cumulative, start, end, target))];
    },
    scanNew: (values, popularity, bought, stamp, rng) => {
      let total = 0;
      for (const v of values) for (let p = ptr[v]; p < ptr[v + 1]; p++) if (bought[items[p]] !== stamp) total += popularity[items[p]];
      if (!(total > 0)) return -1;
      let target = rng.next() * total;
      let last = -1;
      for (const v of values) {
        for (let p = ptr[v]; p < ptr[v + 1]; p++) {
          if (bought[items[p]] === stamp) continue;
          last = items[p];
          target -= popularity[last];
          if (target < 0) return last;
        }
      }
      return last;
    },
    eligible: () => {
      const ok: number[] = [];
      for (let v = 0; v < table.valueCount; v++) if (ptr[v + 1] - ptr[v] >= MIN_FAVOURITE_ITEMS) ok.push(v);
      if (ok.length > 0) return Int32Array.from(ok);
      // Tiny worlds may have no value on enough items: fall back to any carried value rather than fail.
      for (let v = 0; v < table.valueCount; v++) if (ptr[v + 1] > ptr[v]) ok.push(v);
      return Int32Array.from(ok);
    },
  };
}

function chooseFavourites(kind: SyntheticKind, eligible: Int32Array, rng: Rng): Int32Array {
  const wanted = kind === 'actor' ? rng.int(2, 3) : kind === 'director' ? rng.int(1, 2) : 1;
  const count = Math.min(wanted, eligible.length);
  const chosen = new Set<number>();
  // Floyd's sampling: `count` distinct positions in O(count), whatever the number of eligible values.
  for (let j = eligible.length - count; j < eligible.length; j++) {
    const t = rng.int(0, j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen, (p) => eligible[p]).sort();
}

/** A draw not yet bought by `stamp`'s user, or -1 after MAX_REJECTIONS repeats in a row. */
function drawNew(draw: () => number, bought: Int32Array, stamp: number): number {
  for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
    const item = draw();
    if (bought[item] !== stamp) return item;
  }
  return -1;
}

/** Popularity-weighted draw among the items the user has not bought, by a full scan (rarely needed). */
function scanNew(popularity: Float64Array, bought: Int32Array, stamp: number, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < popularity.length; i++) if (bought[i] !== stamp) total += popularity[i];
  let target = rng.next() * total;
  let last = -1;
  for (let i = 0; i < popularity.length; i++) {
    if (bought[i] === stamp) continue;
    last = i;
    target -= popularity[i];
    if (target < 0) return i;
  }
  return last;
}

/** Zipf-like weights 1/(rank+1)^s, with ranks assigned to indexes at random. */
function zipfWeights(n: number, s: number, rng: Rng): Float64Array {
  const ranks = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 1 / Math.pow(ranks[i] + 1, s);
  return w;
}

/** First position in sorted[from, to) holding a value > x (monomorphic: the generator's hot loop). */
function firstAbove(sorted: Float64Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Weighted draws in O(log n): a binary search in the running sums. */
class CumulativeWeights {
  readonly total: number;
  private readonly cumulative: Float64Array;

  constructor(weights: Float64Array) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) this.cumulative[i] = sum += weights[i];
    this.total = sum;
  }

  draw(rng: Rng): number {
    // First running sum above the target: zero weights share their predecessor's sum and are never chosen.
    return Math.min(this.cumulative.length - 1, firstAbove(this.cumulative, 0, this.cumulative.length, rng.next() * this.total));
  }

  /** `count` distinct indexes, each drawn by weight among those not drawn yet. */
  drawDistinct(count: number, rng: Rng): number[] {
    const out: number[] = [];
    while (out.length < count) {
      let index = -1;
      for (let attempt = 0; attempt < MAX_REJECTIONS && index < 0; attempt++) {
        const drawn = this.draw(rng);
        if (!out.includes(drawn)) index = drawn;
      }
      out.push(index >= 0 ? index : this.drawExcluding(out, rng));
    }
    return out;
  }

  private drawExcluding(excluded: readonly number[], rng: Rng): number {
    const weights = new Float64Array(this.cumulative.length);
    for (let i = 0; i < weights.length; i++) weights[i] = this.cumulative[i] - (i > 0 ? this.cumulative[i - 1] : 0);
    for (const i of excluded) weights[i] = 0;
    return new CumulativeWeights(weights).draw(rng);
  }
}
