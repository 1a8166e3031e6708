/**
 * A dataset read once into compact columns: strings only for distinct ids and names (items, users,
 * attribute values), typed arrays for every row (attribute links, interactions). Millions of
 * interactions cost ~24 bytes each instead of an object per row, and nothing is written anywhere
 * while reading, so a malformed row found by the stream stops an import before its first write.
 *
 * Row rules (shared by the Neo4j import and the in-memory network builder):
 *  - items: distinct ids in first-seen order; a repeated id keeps its first position and its last
 *    title and year;
 *  - attribute links: distinct (item, kind, value); the first row gives the rank, the first row of
 *    a value its name. Rows of other kinds than `kinds` (when given) are not kept;
 *  - interactions: every row in input order (a repeated (user, item) pair is resolved later, the
 *    last row winning); users are the distinct ids in first-seen order, also those whose rows all
 *    name unknown items.
 *  A row naming an item absent from the items is a DataFormatError (file:line) when the source
 *  can locate rows (under the throw/skip policy), else it is counted and dropped.
 */
import { GrowableArray } from '../common/growable-array';
import { DataFormatError, type AttributeRecord, type DatasetSource, type InteractionRecord, type ItemRecord, type ReadOptions } from './dataset.types';
import type { Located, LocatedDatasetSource } from './located';

export interface ItemColumns {
  readonly ids: readonly string[];
  readonly titles: readonly string[];
  /** NaN: no year. */
  readonly years: Float64Array;
}

export interface ValueColumns {
  /** `${kind}:${id}`, unique. */
  readonly uids: readonly string[];
  readonly kinds: readonly string[];
  readonly ids: readonly string[];
  readonly names: readonly string[];
}

export interface LinkColumns {
  readonly item: Int32Array;
  readonly value: Int32Array;
  /** 0: no rank. */
  readonly rank: Int32Array;
}

export interface InteractionColumns {
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly rating: Float64Array;
  /** Unix seconds; NaN when the row has none. */
  readonly time: Float64Array;
}

export interface DatasetColumns {
  readonly name: string;
  /** The kinds the source declares. */
  readonly declaredKinds: readonly string[];
  /** The kinds of the kept attribute rows, sorted. */
  readonly seenKinds: readonly string[];
  readonly items: ItemColumns;
  readonly values: ValueColumns;
  readonly links: LinkColumns;
  readonly userIds: readonly string[];
  readonly interactions: InteractionColumns;
  readonly counts: {
    readonly interactionsRead: number;
    readonly attributesRead: number;
    readonly unknownItemInteractions: number;
    readonly unknownItemAttributes: number;
  };
}

export interface ColumnOptions {
  /** Keep only these attribute kinds (default: all). */
  readonly kinds?: readonly string[];
}

/** Accumulates rows into columns; items must all be added before the first attribute or interaction. */
export class DatasetColumnsBuilder {
  private readonly itemIndex = new Map<string, number>();
  private readonly itemIds: string[] = [];
  private readonly titles: string[] = [];
  private readonly years = new GrowableArray(Float64Array);
  private readonly valueIndex = new Map<string, number>();
  private readonly values = { uids: [] as string[], kinds: [] as string[], ids: [] as string[], names: [] as string[] };
  /** Per item, the value indexes already linked (small sets: a handful of values per item). */
  private readonly linked: Array<number[] | undefined> = [];
  private readonly links = { item: new GrowableArray(Int32Array), value: new GrowableArray(Int32Array), rank: new GrowableArray(Int32Array) };
  private readonly userIndex = new Map<string, number>();
  private readonly userIds: string[] = [];
  private readonly interactions = {
    user: new GrowableArray(Int32Array, 1 << 16),
    item: new GrowableArray(Int32Array, 1 << 16),
    rating: new GrowableArray(Float64Array, 1 << 16),
    time: new GrowableArray(Float64Array, 1 << 16),
  };
  private readonly kindFilter: ReadonlySet<string> | null;
  private readonly kindsSeen = new Set<string>();
  private interactionsRead = 0;
  private attributesRead = 0;
  private unknownItemInteractions = 0;
  private unknownItemAttributes = 0;

  constructor(options: ColumnOptions = {}) {
    this.kindFilter = options.kinds ? new Set(options.kinds) : null;
  }

  hasItem(id: string): boolean {
    return this.itemIndex.has(id);
  }

  addItem(record: ItemRecord): void {
    const known = this.itemIndex.get(record.item);
    const year = record.year ?? NaN;
    if (known !== undefined) {
      this.titles[known] = record.title;
      this.years.set(known, year);
      return;
    }
    this.itemIndex.set(record.item, this.itemIds.length);
    this.itemIds.push(record.item);
    this.titles.push(record.title);
    this.years.push(year);
  }

  /** False when the row names an unknown item (counted, not kept). */
  addAttribute(record: AttributeRecord): boolean {
    this.attributesRead++;
    if (this.kindFilter !== null && !this.kindFilter.has(record.kind)) return true;
    const item = this.itemIndex.get(record.item);
    if (item === undefined) {
      this.unknownItemAttributes++;
      return false;
    }
    this.kindsSeen.add(record.kind);
    const uid = `${record.kind}:${record.value}`;
    let value = this.valueIndex.get(uid);
    if (value === undefined) {
      value = this.values.uids.length;
      this.valueIndex.set(uid, value);
      this.values.uids.push(uid);
      this.values.kinds.push(record.kind);
      this.values.ids.push(record.value);
      this.values.names.push(record.name);
    }
    const mine = this.linked[item] ?? (this.linked[item] = []);
    if (mine.includes(value)) return true;
    mine.push(value);
    this.links.item.push(item);
    this.links.value.push(value);
    this.links.rank.push(record.rank ?? 0);
    return true;
  }

  /** False when the row names an unknown item (counted, not kept; its user still counts as seen). */
  addInteraction(record: InteractionRecord): boolean {
    this.interactionsRead++;
    let user = this.userIndex.get(record.user);
    if (user === undefined) {
      user = this.userIds.length;
      this.userIndex.set(record.user, user);
      this.userIds.push(record.user);
    }
    const item = this.itemIndex.get(record.item);
    if (item === undefined) {
      this.unknownItemInteractions++;
      return false;
    }
    this.interactions.user.push(user);
    this.interactions.item.push(item);
    this.interactions.rating.push(record.rating);
    this.interactions.time.push(record.timestamp ?? NaN);
    return true;
  }

  finish(name: string, declaredKinds: readonly string[]): DatasetColumns {
    return {
      name,
      declaredKinds,
      seenKinds: [...this.kindsSeen].sort(),
      items: { ids: this.itemIds, titles: this.titles, years: this.years.toArray() },
      values: this.values,
      links: { item: this.links.item.toArray(), value: this.links.value.toArray(), rank: this.links.rank.toArray() },
      userIds: this.userIds,
      interactions: {
        user: this.interactions.user.toArray(),
        item: this.interactions.item.toArray(),
        rating: this.interactions.rating.toArray(),
        time: this.interactions.time.toArray(),
      },
      counts: {
        interactionsRead: this.interactionsRead,
        attributesRead: this.attributesRead,
        unknownItemInteractions: this.unknownItemInteractions,
        unknownItemAttributes: this.unknownItemAttributes,
      },
    };
  }
}

/** Records already in memory (tests, evaluation): items, then attributes, then interactions. */
export function columnsFromRecords(
  input: { readonly items: readonly ItemRecord[]; readonly attributes: readonly AttributeRecord[]; readonly interactions: readonly InteractionRecord[] },
  options: ColumnOptions = {},
  name = 'records',
): DatasetColumns {
  const builder = new DatasetColumnsBuilder(options);
  for (const item of input.items) builder.addItem(item);
  for (const a of input.attributes) builder.addAttribute(a);
  for (const r of input.interactions) builder.addInteraction(r);
  return builder.finish(name, [...new Set(input.attributes.map((a) => a.kind))].sort());
}

export interface StreamOptions extends ReadOptions, ColumnOptions {
  /** Called every `every` rows read (all three streams together) with the running count. */
  readonly onRows?: (rows: number) => void;
}

/**
 * Streams a source into columns: items, then attributes, then interactions, one record at a time.
 * Format errors come from the readers (throw or skip); an unknown item is an error at its file:line
 * when the source locates rows.
 */
export async function readDatasetColumns(source: DatasetSource, options: StreamOptions = {}): Promise<DatasetColumns> {
  const builder = new DatasetColumnsBuilder(options);
  let rows = 0;
  const tick = (): void => {
    if (++rows % 50_000 === 0) options.onRows?.(rows);
  };
  const located = isLocated(source) ? source : null;
  const reject = (x: Located<{ readonly item: string }>): void => {
    const error = new DataFormatError(x.file, x.line, 'item', `unknown item ${JSON.stringify(x.record.item)} (absent from the items file)`);
    if (options.onInvalid !== 'skip') throw error;
    options.onSkip?.(error);
  };
  for await (const item of source.items(options)) {
    builder.addItem(item);
    tick();
  }
  if (located !== null) {
    for await (const x of located.locatedAttributes(options)) {
      if (!builder.addAttribute(x.record)) reject(x);
      tick();
    }
    for await (const x of located.locatedInteractions(options)) {
      if (!builder.addInteraction(x.record)) reject(x);
      tick();
    }
  } else {
    for await (const a of source.attributes(options)) {
      builder.addAttribute(a);
      tick();
    }
    for await (const r of source.interactions(options)) {
      builder.addInteraction(r);
      tick();
    }
  }
  options.onRows?.(rows);
  return builder.finish(source.name, source.kinds);
}

function isLocated(source: DatasetSource): source is LocatedDatasetSource {
  return typeof (source as Partial<LocatedDatasetSource>).locatedInteractions === 'function';
}
