/**
 * HetRec 2011 MovieLens-2k layout: tab-separated, latin-1, CRLF, one header row per file.
 *   user_ratedmovies-timestamps.dat  userID movieID rating timestamp  (ms since epoch -> seconds)
 *   or user_ratedmovies.dat          userID movieID rating date_day date_month date_year
 *                                    date_hour date_minute date_second  (read as UTC)
 *   movies.dat                       id title ... year ...
 *   movie_actors.dat                 movieID actorID actorName ranking  (kept: ranking <= maxActorRank)
 *   movie_directors.dat              movieID directorID directorName
 *   movie_genres.dat                 movieID genre                      (value = slug of the genre)
 * The timestamps file wins when both ratings files exist. movies.dat, a ratings file and the
 * file of each requested kind are required: a missing one is a MissingFileError naming it.
 */
import { access } from 'fs/promises';
import { join } from 'path';
import { AttributeRecord, DataFormatError, InteractionRecord, ItemRecord, MissingFileError, ReadOptions } from './dataset.types';
import { requireFile } from './csv-dataset';
import { HeaderColumns, optionalInteger, readSplitRows, readTable, requireId, requireNumber, Row, RowContext } from './delimited';
import { Located, LocatedDatasetSource, locatedSource } from './located';
import { concat } from './async-iterables';
import { slugify } from './slug';

export type HetrecKind = 'actor' | 'director' | 'genre';

export const HETREC_FILES = {
  ratingsTimestamps: 'user_ratedmovies-timestamps.dat',
  ratingsDates: 'user_ratedmovies.dat',
  movies: 'movies.dat',
  actor: 'movie_actors.dat',
  director: 'movie_directors.dat',
  genre: 'movie_genres.dat',
} as const;

export interface HetrecOptions {
  /** Kinds to read (default all three); only their files are required. */
  readonly kinds?: readonly HetrecKind[];
  /** Actors billed beyond this rank are ignored (default 5, the paper's top-5 cast). */
  readonly maxActorRank?: number;
}

const LAYOUT = 'hetrec';

export async function openHetrec(dir: string, options: HetrecOptions = {}): Promise<LocatedDatasetSource> {
  const kinds = options.kinds ?? (['actor', 'director', 'genre'] as const);
  const maxActorRank = options.maxActorRank ?? 5;
  const path = (name: string): string => join(dir, name);
  await requireFile(path(HETREC_FILES.movies), LAYOUT);
  const ratings = await chooseRatingsFile(dir);
  for (const kind of kinds) await requireFile(path(HETREC_FILES[kind]), LAYOUT);
  return locatedSource({
    name: `hetrec:${dir}`,
    kinds,
    items: (o) => readHetrecMovies(path(HETREC_FILES.movies), o),
    attributes: (o) => concat(kinds.map((kind) => () => readHetrecAttributes(path(HETREC_FILES[kind]), kind, maxActorRank, o))),
    interactions: (o) => readHetrecRatings(ratings, o),
  });
}

async function chooseRatingsFile(dir: string): Promise<string> {
  for (const name of [HETREC_FILES.ratingsTimestamps, HETREC_FILES.ratingsDates]) {
    try {
      await access(join(dir, name));
      return join(dir, name);
    } catch {
      // try the other layout
    }
  }
  throw new MissingFileError(`${join(dir, HETREC_FILES.ratingsTimestamps)} (or ${HETREC_FILES.ratingsDates})`, LAYOUT);
}

const tsv = (file: string): AsyncIterable<Row> => readSplitRows(file, 'latin1', '\t');

export function readHetrecRatings(file: string, options?: ReadOptions): AsyncGenerator<Located<InteractionRecord>> {
  return readTable(
    file,
    tsv(file),
    ['userID', 'movieID', 'rating'],
    (columns, row, ctx) => ({
      user: requireId(ctx, 'userID', columns.get(row, 'userID')),
      item: requireId(ctx, 'movieID', columns.get(row, 'movieID')),
      rating: requireNumber(ctx, 'rating', columns.get(row, 'rating')),
      timestamp: ratingTime(columns, row, ctx),
    }),
    options,
  );
}

function ratingTime(columns: HeaderColumns, row: Row, ctx: RowContext): number {
  if (columns.has('timestamp')) return Math.floor(requireNumber(ctx, 'timestamp', columns.get(row, 'timestamp')) / 1000);
  const part = (name: string): number => {
    const n = requireNumber(ctx, name, columns.get(row, name));
    if (!Number.isInteger(n)) throw new DataFormatError(ctx.file, ctx.line, name, `not an integer: ${JSON.stringify(columns.get(row, name))}`);
    return n;
  };
  return Date.UTC(part('date_year'), part('date_month') - 1, part('date_day'), part('date_hour'), part('date_minute'), part('date_second')) / 1000;
}

export function readHetrecMovies(file: string, options?: ReadOptions): AsyncGenerator<Located<ItemRecord>> {
  return readTable(
    file,
    tsv(file),
    ['id', 'title'],
    (columns, row, ctx) => {
      const year = optionalInteger(ctx, 'year', columns.optional(row, 'year'));
      return { item: requireId(ctx, 'id', columns.get(row, 'id')), title: columns.get(row, 'title').trim(), ...(year === undefined ? {} : { year }) };
    },
    options,
  );
}

export function readHetrecAttributes(file: string, kind: HetrecKind, maxActorRank: number, options?: ReadOptions): AsyncGenerator<Located<AttributeRecord>> {
  switch (kind) {
    case 'actor':
      return readTable(
        file,
        tsv(file),
        ['movieID', 'actorID', 'actorName', 'ranking'],
        (columns, row, ctx) => {
          const rank = requireNumber(ctx, 'ranking', columns.get(row, 'ranking'));
          if (rank > maxActorRank) return undefined;
          const value = requireId(ctx, 'actorID', columns.get(row, 'actorID'));
          return { item: requireId(ctx, 'movieID', columns.get(row, 'movieID')), kind, value, name: columns.get(row, 'actorName').trim() || value, rank };
        },
        options,
      );
    case 'director':
      return readTable(
        file,
        tsv(file),
        ['movieID', 'directorID', 'directorName'],
        (columns, row, ctx) => {
          const value = requireId(ctx, 'directorID', columns.get(row, 'directorID'));
          return { item: requireId(ctx, 'movieID', columns.get(row, 'movieID')), kind, value, name: columns.get(row, 'directorName').trim() || value };
        },
        options,
      );
    case 'genre':
      return readTable(
        file,
        tsv(file),
        ['movieID', 'genre'],
        (columns, row, ctx) => {
          const name = requireId(ctx, 'genre', columns.get(row, 'genre'));
          return { item: requireId(ctx, 'movieID', columns.get(row, 'movieID')), kind, value: slugify(name) || name, name };
        },
        options,
      );
  }
}
