/**
 * The one shape every dataset reader produces. Readers stream: a consumer pulls records
 * batch by batch and never needs the whole file in memory.
 */

/** A user-item interaction as it appears in the source (ids are strings as in the source data). */
export interface InteractionRecord {
  readonly user: string;
  readonly item: string;
  readonly rating: number;
  /** Unix seconds, when the source has one. */
  readonly timestamp?: number;
}

export interface ItemRecord {
  readonly item: string;
  readonly title: string;
  readonly year?: number;
}

/** One value of one attribute kind of an item (multi-valued attributes give several rows). */
export interface AttributeRecord {
  readonly item: string;
  /** Lower-case kind, e.g. `actor`, `director`, `genre`. */
  readonly kind: string;
  /** Stable id of the value (a slug), unique within its kind. */
  readonly value: string;
  /** Display name; defaults to `value`. */
  readonly name: string;
  /** Billing order for ranked kinds (actors), 1-based. */
  readonly rank?: number;
}

export type InvalidRowPolicy = 'throw' | 'skip';

export interface ReadOptions {
  /** `throw` (default): the first malformed row raises a DataFormatError. `skip`: it is counted and skipped. */
  readonly onInvalid?: InvalidRowPolicy;
  /** Called for each skipped row when onInvalid = 'skip'. */
  readonly onSkip?: (error: DataFormatError) => void;
}

/** A dataset opened from disk (or generated). Each method returns a fresh stream. */
export interface DatasetSource {
  /** Human-readable name, e.g. `csv:../shared/data/ml100k-cast`. */
  readonly name: string;
  /** Attribute kinds this dataset declares (lower-case), e.g. ['actor', 'director', 'genre']. */
  readonly kinds: readonly string[];
  items(options?: ReadOptions): AsyncIterable<ItemRecord>;
  attributes(options?: ReadOptions): AsyncIterable<AttributeRecord>;
  interactions(options?: ReadOptions): AsyncIterable<InteractionRecord>;
}

/** A malformed input row. The message always names file, line and field. */
export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: field "${field}": ${problem}`);
    this.name = 'DataFormatError';
  }
}

/** A required file of a dataset layout is absent. */
export class MissingFileError extends Error {
  constructor(
    readonly file: string,
    readonly layout: string,
  ) {
    super(`missing file ${file} (required by the ${layout} layout)`);
    this.name = 'MissingFileError';
  }
}
