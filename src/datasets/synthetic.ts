/**
 * A seeded synthetic movie world whose users are driven by planted attribute preferences.
 *
 * Each user has one driver kind (actor, director or genre; users are split evenly) and a few
 * favourite values of that kind (2-3 actors, 1-2 directors or 1 genre). Most of a user's
 * purchases are items carrying one of those favourites, rated 4-5; a `noise` fraction are
 * popularity-weighted random items rated 1-5. The signal is strong enough for an
 * attribute-aware model to recover the driver, but not trivial: items have 1-3 genres drawn
 * from a skewed distribution (genre pools overlap), actors are shared across many items, and
 * item popularity is Zipf-like, so popular items show up in every kind of user's history.
 */
import { createRng, Rng } from './rng';
import type { AttributeRecord, InteractionRecord, ItemRecord } from './dataset.types';
import { Located, LocatedDatasetSource, locatedSource } from './located';

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
  'Drama', 'Comedy', 'Action', 'Thriller', 'Romance', 'Adventure', 'Crime', 'Sci-Fi',
  'Horror', 'Fantasy', 'Animation', 'Documentary', 'Mystery', 'War', 'Western', 'Musical',
];

/** Purchases start here (2001-01-01) and advance by up to a day each. */
const EPOCH_START = 978_307_200;
/** A favourite must be carried by at least this many items, else the user could not be driven by it. */
const MIN_FAVOURITE_ITEMS = 3;

type Resolved = Omit<Required<SyntheticWorldOptions>, 'purchasesPerUser'> & {
  purchasesPerUser: readonly [number, number];
};

/**
 * Options for a bigger world with the default world's proportions: actors and directors grow
 * with the catalogue (0.4 and 1/15 per item), so a value is carried by as many items as in the
 * default world instead of by ever more.
 */
export function scaledWorldOptions(users: number, items: number, purchasesPerUser?: readonly [number, number], seed?: number): SyntheticWorldOptions {
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

export function generateMovieWorld(opts: SyntheticWorldOptions = {}): SyntheticWorld {
  const o = resolveOptions(opts);
  const rng = createRng(o.seed);
  const catalogue = buildCatalogue(o, rng);
  const popularity = zipfWeights(o.items, 0.8, rng);
  const drivers = new Map<string, SyntheticKind>();
  const favourites = new Map<string, readonly string[]>();
  const interactions: InteractionRecord[] = [];

  const driverOrder = rng.shuffle(Array.from({ length: o.users }, (_, u) => SYNTHETIC_KINDS[u % 3]));
  for (let u = 0; u < o.users; u++) {
    const user = String(u + 1);
    const driver = driverOrder[u];
    const favs = chooseFavourites(driver, catalogue.valueItems.get(driver)!, rng);
    drivers.set(user, driver);
    favourites.set(user, favs);
    interactions.push(...userPurchases(user, favs, driver, catalogue, popularity, o, rng));
  }
  return { items: catalogue.items, attributes: catalogue.attributes, interactions, drivers, favourites };
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
  items: ItemRecord[];
  attributes: AttributeRecord[];
  /** kind -> value id -> indexes of the items carrying it. */
  valueItems: Map<SyntheticKind, Map<string, number[]>>;
}

function buildCatalogue(o: Resolved, rng: Rng): Catalogue {
  const items: ItemRecord[] = [];
  const attributes: AttributeRecord[] = [];
  const valueItems = new Map<SyntheticKind, Map<string, number[]>>(SYNTHETIC_KINDS.map((k) => [k, new Map()]));
  // Skewed value popularity: a few prolific actors and big genres, many small ones.
  const actorWeights = zipfWeights(o.actors, 0.5, rng);
  const directorWeights = zipfWeights(o.directors, 0.3, rng);
  const genreWeights = zipfWeights(o.genres, 0.7, rng);
  const add = (index: number, kind: SyntheticKind, valueIndex: number, rank?: number): void => {
    const value = `${kind}-${valueIndex + 1}`;
    attributes.push({ item: items[index].item, kind, value, name: valueName(kind, valueIndex), ...(rank ? { rank } : {}) });
    const list = valueItems.get(kind)!.get(value);
    if (list) list.push(index);
    else valueItems.get(kind)!.set(value, [index]);
  };
  for (let i = 0; i < o.items; i++) {
    items.push({ item: String(i + 1), title: `Movie ${i + 1}`, year: rng.int(1950, 2020) });
    drawDistinct(actorWeights, o.actorsPerItem, rng).forEach((a, r) => add(i, 'actor', a, r + 1));
    add(i, 'director', rng.weightedIndex(directorWeights));
    drawDistinct(genreWeights, Math.min(o.genres, rng.int(1, 3)), rng).forEach((g) => add(i, 'genre', g));
  }
  return { items, attributes, valueItems };
}

function valueName(kind: SyntheticKind, index: number): string {
  if (kind === 'genre') return GENRE_NAMES[index] ?? `Genre ${index + 1}`;
  return kind === 'actor' ? `Actor ${index + 1}` : `Director ${index + 1}`;
}

function chooseFavourites(kind: SyntheticKind, values: Map<string, number[]>, rng: Rng): string[] {
  const count = kind === 'actor' ? rng.int(2, 3) : kind === 'director' ? rng.int(1, 2) : 1;
  const eligible = [...values.keys()].filter((v) => values.get(v)!.length >= MIN_FAVOURITE_ITEMS);
  // Tiny worlds may have no value on enough items: fall back to any value rather than fail.
  return rng.sample(eligible.length > 0 ? eligible : [...values.keys()], count).sort();
}

function userPurchases(
  user: string,
  favs: readonly string[],
  driver: SyntheticKind,
  catalogue: Catalogue,
  popularity: Float64Array,
  o: Resolved,
  rng: Rng,
): InteractionRecord[] {
  const candidates = new Float64Array(popularity.length);
  for (const value of favs) for (const i of catalogue.valueItems.get(driver)!.get(value) ?? []) candidates[i] = popularity[i];
  const anyItem = Float64Array.from(popularity);
  const count = rng.int(o.purchasesPerUser[0], Math.min(o.purchasesPerUser[1], o.items));
  const out: InteractionRecord[] = [];
  let time = EPOCH_START + rng.int(0, 365 * 86_400);
  for (let p = 0; p < count; p++) {
    const driven = rng.next() >= o.noise && sum(candidates) > 0;
    const index = rng.weightedIndex(driven ? candidates : anyItem);
    candidates[index] = 0;
    anyItem[index] = 0;
    const rating = driven ? rng.int(4, 5) : rng.int(1, 5);
    time += rng.int(60, 86_400);
    out.push({ user, item: catalogue.items[index].item, rating, ...(o.withTimestamps ? { timestamp: time } : {}) });
  }
  return out;
}

/** Zipf-like weights 1/(rank+1)^s, with ranks assigned to indexes at random. */
function zipfWeights(n: number, s: number, rng: Rng): Float64Array {
  const ranks = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 1 / Math.pow(ranks[i] + 1, s);
  return w;
}

function drawDistinct(weights: Float64Array, count: number, rng: Rng): number[] {
  const w = Float64Array.from(weights);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const index = rng.weightedIndex(w);
    w[index] = 0;
    out.push(index);
  }
  return out;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
