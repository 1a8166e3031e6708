/**
 * The generic CSV layout (the project's interchange format), one folder with:
 *   interactions.csv     user,item,rating[,timestamp]      (timestamp: unix seconds)
 *   items.csv            item,title[,year]
 *   item_attributes.csv  item,kind,value[,name][,rank]    (kind lower-cased; name defaults to value)
 * UTF-8 (invalid bytes are errors), LF or CRLF, header row required, columns matched by name,
 * RFC 4180 quoting. Kinds are the distinct kinds of item_attributes.csv, read once at open
 * unless declared.
 */
import { access } from 'fs/promises';
import { join } from 'path';
import { attributeKindProblem } from '../graph/kind-names';
import { AttributeRecord, InteractionRecord, ItemRecord, MissingFileError, ReadOptions } from './dataset.types';
import { HeaderColumns, optionalInteger, readCsvRows, readHeader, readTable, requireId, requireNumber, Row, RowContext } from './delimited';
import { Located, LocatedDatasetSource, locatedSource } from './located';

export const CSV_FILES = { interactions: 'interactions.csv', items: 'items.csv', attributes: 'item_attributes.csv' } as const;

export interface CsvDatasetOptions {
  /** Declared kinds; skips the scan of item_attributes.csv at open. */
  readonly kinds?: readonly string[];
}

export async function openCsvDataset(dir: string, options: CsvDatasetOptions = {}): Promise<LocatedDatasetSource> {
  const path = (name: string): string => join(dir, name);
  for (const name of Object.values(CSV_FILES)) await requireFile(path(name), 'csv');
  const kinds = options.kinds ?? (await scanKinds(path(CSV_FILES.attributes)));
  for (const kind of kinds) {
    const problem = attributeKindProblem(kind);
    if (problem !== null) throw new RangeError(`${path(CSV_FILES.attributes)}: ${problem}; rename it`);
  }
  return locatedSource({
    name: `csv:${dir}`,
    kinds,
    items: (o) => readCsvItems(path(CSV_FILES.items), o),
    attributes: (o) => readCsvAttributes(path(CSV_FILES.attributes), o),
    interactions: (o) => readCsvInteractions(path(CSV_FILES.interactions), o),
  });
}

export async function requireFile(file: string, layout: string): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new MissingFileError(file, layout);
  }
}

export function readCsvInteractions(file: string, options?: ReadOptions): AsyncGenerator<Located<InteractionRecord>> {
  return readTable(
    file,
    readCsvRows(file),
    ['user', 'item', 'rating'],
    (columns, row, ctx) => {
      const timestamp = optionalInteger(ctx, 'timestamp', columns.optional(row, 'timestamp'));
      return {
        user: requireId(ctx, 'user', columns.get(row, 'user')),
        item: requireId(ctx, 'item', columns.get(row, 'item')),
        rating: requireNumber(ctx, 'rating', columns.get(row, 'rating')),
        ...(timestamp === undefined ? {} : { timestamp }),
      };
    },
    options,
  );
}

export function readCsvItems(file: string, options?: ReadOptions): AsyncGenerator<Located<ItemRecord>> {
  return readTable(
    file,
    readCsvRows(file),
    ['item', 'title'],
    (columns, row, ctx) => {
      const year = optionalInteger(ctx, 'year', columns.optional(row, 'year'));
      return {
        item: requireId(ctx, 'item', columns.get(row, 'item')),
        title: columns.get(row, 'title').trim(),
        ...(year === undefined ? {} : { year }),
      };
    },
    options,
  );
}

export function readCsvAttributes(file: string, options?: ReadOptions): AsyncGenerator<Located<AttributeRecord>> {
  return readTable(file, readCsvRows(file), ['item', 'kind', 'value'], (columns, row, ctx) => parseAttribute(columns, row, ctx), options);
}

function parseAttribute(columns: HeaderColumns, row: Row, ctx: RowContext): AttributeRecord {
  const value = requireId(ctx, 'value', columns.get(row, 'value'));
  const name = columns.optional(row, 'name')?.trim();
  const rank = optionalInteger(ctx, 'rank', columns.optional(row, 'rank'));
  return {
    item: requireId(ctx, 'item', columns.get(row, 'item')),
    kind: requireId(ctx, 'kind', columns.get(row, 'kind')).toLowerCase(),
    value,
    name: name || value,
    ...(rank === undefined ? {} : { rank }),
  };
}

/** Distinct kinds, sorted; unreadable rows are left for the real read to report. */
async function scanKinds(file: string): Promise<string[]> {
  const rows = readCsvRows(file)[Symbol.asyncIterator]();
  const columns = HeaderColumns.fromHeader(file, await readHeader(rows), ['item', 'kind', 'value']);
  const kinds = new Set<string>();
  for (;;) {
    let next: IteratorResult<Row>;
    try {
      next = await rows.next();
    } catch {
      break;
    }
    if (next.done) break;
    const kind = next.value.invalidUtf8 ? undefined : next.value.fields[columns.position('kind')]?.trim().toLowerCase();
    if (kind) kinds.add(kind);
  }
  return [...kinds].sort();
}
