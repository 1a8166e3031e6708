/**
 * MovieLens-100k (GroupLens) layout:
 *   u.data   user \t item \t rating \t timestamp       no header, unix seconds
 *   u.item   id|title|release date|video release date|IMDb URL|19 genre flags   no header, latin-1
 *   u.genre  name|index                                optional; else the built-in list
 * The only attribute kind is `genre`, from the flags; value = slug of the name ("Children's" ->
 * `children_s`). The `unknown` flag is not a genre and yields no attribute (as in ml100k-cast).
 * year = the last four digits of the release date ("01-Jan-1995"), absent when the date is empty.
 */
import { join } from 'path';
import { access } from 'fs/promises';
import { AttributeRecord, DataFormatError, InteractionRecord, ItemRecord, ReadOptions } from './dataset.types';
import { requireFile } from './csv-dataset';
import { guardRows, readSplitRows, requireId, requireNumber, Row, RowContext } from './delimited';
import { Located, LocatedDatasetSource, locatedSource } from './located';
import { flatten } from './async-iterables';
import { slugify } from './slug';

export const ML100K_GENRES: readonly string[] = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
];

const DATA_COLUMNS = ['user', 'item', 'rating', 'timestamp'];
const ITEM_COLUMNS = ['movie id', 'title', 'release date', 'video release date', 'IMDb URL'];

export async function openMovieLens100k(dir: string): Promise<LocatedDatasetSource> {
  const data = join(dir, 'u.data');
  const item = join(dir, 'u.item');
  await requireFile(data, 'movielens-100k');
  await requireFile(item, 'movielens-100k');
  const genres = await readGenreNames(join(dir, 'u.genre'));
  return locatedSource({
    name: `movielens-100k:${dir}`,
    kinds: ['genre'],
    items: (o) => readItemRows(item, genres, o, itemRecord),
    attributes: (o) => flatten(readItemRows(item, genres, o, genreRecords)),
    interactions: (o) => readMl100kRatings(data, o),
  });
}

export function readMl100kRatings(file: string, options?: ReadOptions): AsyncGenerator<Located<InteractionRecord>> {
  return guardRows(
    file,
    readSplitRows(file, 'latin1', '\t'),
    (row, ctx) => {
      expectFields(ctx, row, DATA_COLUMNS);
      return {
        user: requireId(ctx, 'user', row.fields[0]),
        item: requireId(ctx, 'item', row.fields[1]),
        rating: requireNumber(ctx, 'rating', row.fields[2]),
        timestamp: requireInteger(ctx, 'timestamp', row.fields[3]),
      };
    },
    options,
  );
}

type ItemParser<T> = (row: Row, ctx: RowContext, genres: readonly string[]) => T;

function readItemRows<T>(file: string, genres: readonly string[], options: ReadOptions | undefined, parse: ItemParser<T>): AsyncGenerator<Located<T>> {
  const columns = [...ITEM_COLUMNS, ...genres];
  return guardRows(
    file,
    readSplitRows(file, 'latin1', '|'),
    (row, ctx) => {
      expectFields(ctx, row, columns);
      return parse(row, ctx, genres);
    },
    options,
  );
}

function itemRecord(row: Row, ctx: RowContext): ItemRecord {
  const year = releaseYear(ctx, row.fields[2]);
  return { item: requireId(ctx, 'movie id', row.fields[0]), title: row.fields[1].trim(), ...(year === undefined ? {} : { year }) };
}

function genreRecords(row: Row, ctx: RowContext, genres: readonly string[]): AttributeRecord[] {
  const item = requireId(ctx, 'movie id', row.fields[0]);
  const out: AttributeRecord[] = [];
  genres.forEach((name, g) => {
    const flag = row.fields[ITEM_COLUMNS.length + g].trim();
    if (flag !== '0' && flag !== '1') throw new DataFormatError(ctx.file, ctx.line, name, `genre flag must be 0 or 1, got ${JSON.stringify(flag)}`);
    if (flag === '1' && name.toLowerCase() !== 'unknown') out.push({ item, kind: 'genre', value: slugify(name) || name, name });
  });
  return out;
}

function releaseYear(ctx: RowContext, raw: string): number | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  const match = /(\d{4})$/.exec(value);
  if (!match) throw new DataFormatError(ctx.file, ctx.line, 'release date', `expected a date like 01-Jan-1995, got ${JSON.stringify(raw)}`);
  return Number(match[1]);
}

function requireInteger(ctx: RowContext, field: string, raw: string): number {
  const n = requireNumber(ctx, field, raw);
  if (!Number.isInteger(n)) throw new DataFormatError(ctx.file, ctx.line, field, `not an integer: ${JSON.stringify(raw)}`);
  return n;
}

function expectFields(ctx: RowContext, row: Row, columns: readonly string[]): void {
  if (row.fields.length < columns.length) {
    throw new DataFormatError(
      ctx.file,
      ctx.line,
      columns[row.fields.length],
      `missing value (row has ${row.fields.length} fields, expected ${columns.length})`,
    );
  }
}

/** Genre names by index from u.genre, or the built-in list when the file is absent. */
async function readGenreNames(file: string): Promise<readonly string[]> {
  try {
    await access(file);
  } catch {
    return ML100K_GENRES;
  }
  const names: string[] = [];
  for await (const x of guardRows(file, readSplitRows(file, 'latin1', '|'), (row, ctx) => {
    const name = requireId(ctx, 'name', row.fields[0]);
    const index = requireInteger(ctx, 'index', row.fields[1] ?? '');
    return { name, index };
  })) {
    names[x.record.index] = x.record.name;
  }
  for (let g = 0; g < names.length; g++) {
    if (names[g] === undefined) throw new DataFormatError(file, names.length, 'index', `genre index ${g} is missing`);
  }
  return names;
}
