/**
 * Kaggle "The Movies Dataset" (Rounak Banik) layout, CSV with header rows, UTF-8:
 *   ratings_small.csv    userId,movieId,rating,timestamp      (MovieLens ids)
 *   links_small.csv      movieId,imdbId,tmdbId
 *   movies_metadata.csv  ...,genres,...,id,...,release_date,...,title,...   (id = tmdb id)
 *   credits.csv          cast,crew,id                          (id = tmdb id)
 * genres/cast/crew are Python literals (`[{'id': 16, 'name': 'Animation'}]`), parsed by
 * python-literal.ts, never evaluated.
 *
 * Decisions:
 *  - Item id = tmdb id (ratings' movieId is mapped through links). A rating whose movie has no
 *    tmdbId in links gets the item id `movielens:<movieId>`, which no items row carries, so
 *    the import's reference check (dataset-columns.ts) reports it with its line instead of the reader dropping it silently.
 *  - Items and attributes are those of the linked movies only (movies_metadata holds 45k movies,
 *    the small ratings cover 9k): unlinked metadata/credits rows are ignored unvalidated, which
 *    also steps over the handful of malformed rows in the real movies_metadata.csv. A tmdb id
 *    seen twice keeps its first row.
 *  - Actors: the first 5 of `cast` by `order`, rank 1-5. Directors: `crew` entries with
 *    job 'Director'. Value id = the person's TMDb `id` (stable across movies; `cast_id` is a
 *    per-movie credit number and would never be shared). Name = `name`.
 *  - Genres: value = slug of the name (as in the other readers), name = `name`.
 */
import { join } from 'path';
import { AttributeRecord, DataFormatError, InteractionRecord, ItemRecord, ReadOptions } from './dataset.types';
import { requireFile } from './csv-dataset';
import { HeaderColumns, readCsvRows, readTable, requireId, requireNumber, optionalInteger, Row, RowContext } from './delimited';
import { Located, LocatedDatasetSource, locatedSource } from './located';
import { concat, flatten } from './async-iterables';
import { parsePythonLiteral, PyDict, PythonLiteralError, PyValue } from './python-literal';
import { slugify } from './slug';

export interface KaggleMoviesOptions {
  /** `small` (default): ratings_small.csv + links_small.csv; `full`: ratings.csv + links.csv. */
  readonly variant?: 'small' | 'full';
  /** Actors per movie (default 5). */
  readonly topCast?: number;
}

const LAYOUT = 'kaggle';
export const KAGGLE_KINDS: readonly string[] = ['actor', 'director', 'genre'];

export async function openKaggleMovies(dir: string, options: KaggleMoviesOptions = {}): Promise<LocatedDatasetSource> {
  const small = (options.variant ?? 'small') === 'small';
  const files = {
    ratings: join(dir, small ? 'ratings_small.csv' : 'ratings.csv'),
    links: join(dir, small ? 'links_small.csv' : 'links.csv'),
    metadata: join(dir, 'movies_metadata.csv'),
    credits: join(dir, 'credits.csv'),
  };
  for (const file of Object.values(files)) await requireFile(file, LAYOUT);
  const links = await readLinks(files.links);
  const linked = new Set(links.values());
  const topCast = options.topCast ?? 5;
  return locatedSource({
    name: `kaggle:${dir}`,
    kinds: KAGGLE_KINDS,
    items: (o) => firstPerId(readMetadata(files.metadata, linked, o, metadataItem)),
    attributes: (o) =>
      concat([
        () => flatten(firstPerId(readCredits(files.credits, linked, topCast, o))),
        () => flatten(firstPerId(readMetadata(files.metadata, linked, o, metadataGenres))),
      ]),
    interactions: (o) => readKaggleRatings(files.ratings, links, o),
  });
}

export function readKaggleRatings(file: string, links: ReadonlyMap<string, string>, options?: ReadOptions): AsyncGenerator<Located<InteractionRecord>> {
  return readTable(
    file,
    readCsvRows(file),
    ['userId', 'movieId', 'rating'],
    (columns, row, ctx) => {
      const movieId = requireId(ctx, 'movieId', columns.get(row, 'movieId'));
      const timestamp = optionalInteger(ctx, 'timestamp', columns.optional(row, 'timestamp'));
      return {
        user: requireId(ctx, 'userId', columns.get(row, 'userId')),
        item: links.get(movieId) ?? `movielens:${movieId}`,
        rating: requireNumber(ctx, 'rating', columns.get(row, 'rating')),
        ...(timestamp === undefined ? {} : { timestamp }),
      };
    },
    options,
  );
}

/** movieId -> tmdb id, for the links that have one (pandas wrote some as `862.0`). */
async function readLinks(file: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  const rows = readTable(file, readCsvRows(file), ['movieId', 'tmdbId'], (columns, row, ctx) => {
    const raw = columns.get(row, 'tmdbId').trim();
    if (raw === '') return undefined;
    const tmdb = requireNumber(ctx, 'tmdbId', raw);
    return { movieId: requireId(ctx, 'movieId', columns.get(row, 'movieId')), tmdbId: String(Math.trunc(tmdb)) };
  });
  for await (const x of rows) links.set(x.record.movieId, x.record.tmdbId);
  return links;
}

type MetadataParser<T> = (columns: HeaderColumns, row: Row, ctx: RowContext, id: string) => T;

function readMetadata<T>(
  file: string,
  linked: ReadonlySet<string>,
  options: ReadOptions | undefined,
  parse: MetadataParser<T>,
): AsyncGenerator<Located<WithId<T>>> {
  return readTable(
    file,
    readCsvRows(file),
    ['id', 'title', 'genres'],
    (columns, row, ctx) => {
      const id = columns.get(row, 'id').trim();
      if (!linked.has(id)) return undefined;
      return { id, value: parse(columns, row, ctx, id) };
    },
    options,
  );
}

function metadataItem(columns: HeaderColumns, row: Row, ctx: RowContext, id: string): ItemRecord {
  const year = releaseYear(ctx, columns.optional(row, 'release_date'));
  return { item: id, title: columns.get(row, 'title').trim(), ...(year === undefined ? {} : { year }) };
}

function metadataGenres(columns: HeaderColumns, row: Row, ctx: RowContext, id: string): AttributeRecord[] {
  return dictList(ctx, 'genres', columns.get(row, 'genres')).map((genre) => {
    const name = requireString(ctx, 'genres', genre, 'name');
    return { item: id, kind: 'genre', value: slugify(name) || name, name };
  });
}

function readCredits(file: string, linked: ReadonlySet<string>, topCast: number, options?: ReadOptions): AsyncGenerator<Located<WithId<AttributeRecord[]>>> {
  return readTable(
    file,
    readCsvRows(file),
    ['cast', 'crew', 'id'],
    (columns, row, ctx) => {
      const id = columns.get(row, 'id').trim();
      if (!linked.has(id)) return undefined;
      const cast = dictList(ctx, 'cast', columns.get(row, 'cast'))
        .map((c) => ({ c, order: typeof c.order === 'number' ? c.order : Number.POSITIVE_INFINITY }))
        .sort((x, y) => x.order - y.order)
        .slice(0, topCast);
      const actors = cast.map(({ c }, r): AttributeRecord => person(ctx, 'cast', c, id, 'actor', r + 1));
      const directors = dictList(ctx, 'crew', columns.get(row, 'crew'))
        .filter((c) => c.job === 'Director')
        .map((c) => person(ctx, 'crew', c, id, 'director'));
      return { id, value: [...actors, ...directors] };
    },
    options,
  );
}

function person(ctx: RowContext, field: string, entry: PyDict, item: string, kind: string, rank?: number): AttributeRecord {
  const id = entry.id;
  if (typeof id !== 'number' && typeof id !== 'string') throw new DataFormatError(ctx.file, ctx.line, field, 'an entry has no id');
  const name = typeof entry.name === 'string' && entry.name.trim() !== '' ? entry.name.trim() : String(id);
  return { item, kind, value: String(id), name, ...(rank === undefined ? {} : { rank }) };
}

/** A Python list of dicts; an empty cell is an empty list. */
function dictList(ctx: RowContext, field: string, raw: string): PyDict[] {
  if (raw.trim() === '') return [];
  let value: PyValue;
  try {
    value = parsePythonLiteral(raw);
  } catch (error) {
    if (error instanceof PythonLiteralError) throw new DataFormatError(ctx.file, ctx.line, field, `invalid Python literal ${error.message}`);
    throw error;
  }
  if (!Array.isArray(value) || !value.every(isDict)) throw new DataFormatError(ctx.file, ctx.line, field, 'expected a list of dicts');
  return value;
}

function isDict(value: PyValue): value is PyDict {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function requireString(ctx: RowContext, field: string, entry: PyDict, key: string): string {
  const value = entry[key];
  if (typeof value !== 'string' || value.trim() === '') throw new DataFormatError(ctx.file, ctx.line, field, `an entry has no '${key}'`);
  return value.trim();
}

function releaseYear(ctx: RowContext, raw: string | undefined): number | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const match = /^(\d{4})-\d{2}-\d{2}$/.exec(value);
  if (!match) throw new DataFormatError(ctx.file, ctx.line, 'release_date', `expected YYYY-MM-DD, got ${JSON.stringify(raw)}`);
  return Number(match[1]);
}

interface WithId<T> {
  readonly id: string;
  readonly value: T;
}

/** Keeps the first row of each id (the real files repeat some tmdb ids). */
async function* firstPerId<T>(rows: AsyncIterable<Located<WithId<T>>>): AsyncGenerator<Located<T>> {
  const seen = new Set<string>();
  for await (const x of rows) {
    if (seen.has(x.record.id)) continue;
    seen.add(x.record.id);
    yield { record: x.record.value, file: x.file, line: x.line };
  }
}
