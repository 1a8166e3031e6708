/** One entry point for the CLI: a dataset format name and a path give a DatasetSource. */
import { openCsvDataset } from './csv-dataset';
import { HetrecKind, openHetrec } from './hetrec';
import { openKaggleMovies } from './kaggle-movies';
import type { LocatedDatasetSource } from './located';
import { openMovieLens100k } from './movielens-100k';
import { generateMovieWorld, syntheticSource, SyntheticWorldOptions } from './synthetic';

export const DATASET_FORMATS = ['csv', 'movielens-100k', 'hetrec', 'kaggle', 'synthetic'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface OpenDatasetOptions {
  /** csv: declared kinds (skips the scan); hetrec: kinds to read. */
  readonly kinds?: readonly string[];
  /** hetrec: actors billed beyond this rank are ignored (default 5). */
  readonly maxActorRank?: number;
  /** kaggle: `small` (default) or `full` ratings/links files. */
  readonly variant?: 'small' | 'full';
  /** kaggle: actors per movie (default 5). */
  readonly topCast?: number;
  /** synthetic: generator options. */
  readonly synthetic?: SyntheticWorldOptions;
}

export function isDatasetFormat(value: string): value is DatasetFormat {
  return (DATASET_FORMATS as readonly string[]).includes(value);
}

export async function openDataset(format: DatasetFormat, path?: string, opts: OpenDatasetOptions = {}): Promise<LocatedDatasetSource> {
  if (format === 'synthetic') return syntheticSource(generateMovieWorld(opts.synthetic));
  if (!path) throw new RangeError(`openDataset: format '${format}' needs a path to the dataset folder`);
  switch (format) {
    case 'csv':
      return openCsvDataset(path, { kinds: opts.kinds });
    case 'movielens-100k':
      return openMovieLens100k(path);
    case 'hetrec':
      return openHetrec(path, { kinds: opts.kinds?.map(toHetrecKind), maxActorRank: opts.maxActorRank });
    case 'kaggle':
      return openKaggleMovies(path, { variant: opts.variant, topCast: opts.topCast });
    default:
      // Unreachable for typed callers; a name from outside (a config file, a script) gets the list.
      throw new RangeError(`openDataset: unknown format '${String(format)}' (formats: ${DATASET_FORMATS.join(', ')})`);
  }
}

function toHetrecKind(kind: string): HetrecKind {
  if (kind === 'actor' || kind === 'director' || kind === 'genre') return kind;
  throw new RangeError(`openDataset: the hetrec layout has kinds actor, director, genre; got '${kind}'`);
}
