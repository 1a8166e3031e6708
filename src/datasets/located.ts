/**
 * Records with the file and line they came from, so that checks made after parsing (an
 * interaction naming an unknown item) can still point at the offending line.
 */
import type { AttributeRecord, DatasetSource, InteractionRecord, ItemRecord, ReadOptions } from './dataset.types';

export interface Located<T> {
  readonly record: T;
  readonly file: string;
  /** 1-based physical line (the first line of a multi-line CSV record). */
  readonly line: number;
}

/** A DatasetSource whose records can also be read with their origin. */
export interface LocatedDatasetSource extends DatasetSource {
  locatedItems(options?: ReadOptions): AsyncIterable<Located<ItemRecord>>;
  locatedAttributes(options?: ReadOptions): AsyncIterable<Located<AttributeRecord>>;
  locatedInteractions(options?: ReadOptions): AsyncIterable<Located<InteractionRecord>>;
}

export interface LocatedReaders {
  readonly name: string;
  readonly kinds: readonly string[];
  items(options?: ReadOptions): AsyncIterable<Located<ItemRecord>>;
  attributes(options?: ReadOptions): AsyncIterable<Located<AttributeRecord>>;
  interactions(options?: ReadOptions): AsyncIterable<Located<InteractionRecord>>;
}

/** Builds both views of a source from its located readers. */
export function locatedSource(readers: LocatedReaders): LocatedDatasetSource {
  return {
    name: readers.name,
    kinds: readers.kinds,
    items: (o) => records(readers.items(o)),
    attributes: (o) => records(readers.attributes(o)),
    interactions: (o) => records(readers.interactions(o)),
    locatedItems: (o) => readers.items(o),
    locatedAttributes: (o) => readers.attributes(o),
    locatedInteractions: (o) => readers.interactions(o),
  };
}

async function* records<T>(located: AsyncIterable<Located<T>>): AsyncGenerator<T> {
  for await (const x of located) yield x.record;
}
