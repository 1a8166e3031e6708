/**
 * Row-level plumbing shared by the readers: CSV (RFC 4180) and plain-split rows, header
 * column lookup, typed field parsers whose errors name file, line and field, and the
 * throw/skip policy.
 */
import { DataFormatError, ReadOptions } from './dataset.types';
import type { Located } from './located';
import { readTextLines, TextEncoding } from './text-lines';

export interface Row {
  readonly fields: string[];
  /** 1-based physical line where the record starts. */
  readonly line: number;
  readonly invalidUtf8: boolean;
}

/** Where a field came from, for error messages. */
export interface RowContext {
  readonly file: string;
  readonly line: number;
}

/**
 * RFC 4180 CSV: fields separated by commas, a field starting with `"` is quoted, `""` inside it
 * is a quote, and a quoted field may span lines. Blank lines between records are skipped.
 */
export async function* readCsvRows(file: string, encoding: TextEncoding = 'utf8'): AsyncGenerator<Row> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let startLine = 0;
  let invalidUtf8 = false;
  for await (const physical of readTextLines(file, encoding)) {
    const text = physical.text;
    if (inQuotes) {
      field += '\n';
      invalidUtf8 ||= physical.invalidUtf8;
    } else {
      if (text === '') continue;
      startLine = physical.line;
      invalidUtf8 = physical.invalidUtf8;
      if (!text.includes('"')) {
        // Fast path: most lines have no quotes at all.
        yield { fields: text.split(','), line: startLine, invalidUtf8 };
        continue;
      }
      fields = [];
      field = '';
    }
    let atFieldStart = !inQuotes && field === '';
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (inQuotes) {
        if (ch !== '"') field += ch;
        else if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
      } else if (ch === '"' && atFieldStart) {
        inQuotes = true;
        atFieldStart = false;
      } else {
        // A stray quote inside an unquoted field is kept literally (lenient, like most CSV tools).
        field += ch;
        atFieldStart = false;
      }
    }
    if (!inQuotes) {
      fields.push(field);
      yield { fields, line: startLine, invalidUtf8 };
      fields = [];
      field = '';
    }
  }
  if (inQuotes) throw new DataFormatError(file, startLine, `column ${fields.length + 1}`, 'unterminated quoted field');
}

/** Rows of a file whose fields are separated by `separator` with no quoting (tab, pipe, `::`). */
export async function* readSplitRows(file: string, encoding: TextEncoding, separator: string): AsyncGenerator<Row> {
  for await (const physical of readTextLines(file, encoding)) {
    if (physical.text === '') continue;
    yield { fields: physical.text.split(separator), line: physical.line, invalidUtf8: physical.invalidUtf8 };
  }
}

/** Column positions taken from a header row, matched by trimmed, case-insensitive name. */
export class HeaderColumns {
  private constructor(
    readonly file: string,
    readonly names: readonly string[],
    private readonly positions: ReadonlyMap<string, number>,
  ) {}

  /** Throws a DataFormatError (line of the header) naming the first required column that is absent. */
  static fromHeader(file: string, header: Row | undefined, required: readonly string[]): HeaderColumns {
    if (!header) throw new DataFormatError(file, 1, required[0] ?? '(header)', 'missing header row (file is empty)');
    if (header.invalidUtf8) throw new DataFormatError(file, header.line, '(header)', 'invalid UTF-8');
    const names = header.fields.map((f) => f.trim().toLowerCase());
    const positions = new Map<string, number>();
    names.forEach((name, i) => {
      if (!positions.has(name)) positions.set(name, i);
    });
    for (const column of required) {
      if (!positions.has(column.toLowerCase())) {
        throw new DataFormatError(file, header.line, column, `missing column (header has: ${names.join(', ')})`);
      }
    }
    return new HeaderColumns(file, names, positions);
  }

  /** Index of a declared column; throws when the header lacks it. */
  position(column: string): number {
    const position = this.positions.get(column.toLowerCase());
    if (position === undefined) throw new Error(`${this.file}: column ${column} was not declared`);
    return position;
  }

  has(column: string): boolean {
    return this.positions.has(column.toLowerCase());
  }

  /** The raw value of a column; throws when the row is too short to have it. */
  get(row: Row, column: string): string {
    const value = row.fields[this.position(column)];
    if (value === undefined) {
      throw new DataFormatError(this.file, row.line, column, `missing value (row has ${row.fields.length} fields, header has ${this.names.length})`);
    }
    return value;
  }

  /** The raw value of an optional column, or undefined when the header lacks it. */
  optional(row: Row, column: string): string | undefined {
    return this.has(column) ? this.get(row, column) : undefined;
  }
}

/** Throws when a row's bytes were not valid UTF-8, naming the first field showing a replacement character. */
export function checkUtf8(file: string, row: Row, columnNames: readonly string[]): void {
  if (!row.invalidUtf8) return;
  const position = row.fields.findIndex((f) => f.includes('\ufffd'));
  const field = position >= 0 ? (columnNames[position] ?? `column ${position + 1}`) : '(line)';
  throw new DataFormatError(file, row.line, field, 'invalid UTF-8 byte sequence');
}

export function requireId(ctx: RowContext, field: string, raw: string): string {
  const value = raw.trim();
  if (value === '') throw new DataFormatError(ctx.file, ctx.line, field, 'empty id');
  return value;
}

export function requireText(ctx: RowContext, field: string, raw: string): string {
  const value = raw.trim();
  if (value === '') throw new DataFormatError(ctx.file, ctx.line, field, 'empty value');
  return value;
}

export function requireNumber(ctx: RowContext, field: string, raw: string): number {
  const value = raw.trim();
  const n = value === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new DataFormatError(ctx.file, ctx.line, field, `not a number: ${JSON.stringify(raw)}`);
  return n;
}

/** Empty, `\N` (SQL dumps) and `NA` count as absent. */
export function optionalNumber(ctx: RowContext, field: string, raw: string | undefined): number | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '' || value === '\\N' || value === 'NA') return undefined;
  return requireNumber(ctx, field, value);
}

export function optionalInteger(ctx: RowContext, field: string, raw: string | undefined): number | undefined {
  const n = optionalNumber(ctx, field, raw);
  if (n !== undefined && !Number.isInteger(n)) throw new DataFormatError(ctx.file, ctx.line, field, `not an integer: ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Applies the invalid-row policy: `parse` turns a row into a record (or undefined to drop it
 * silently); a DataFormatError from it, or from the row stream itself, is thrown or, with
 * onInvalid 'skip', handed to onSkip and the row skipped.
 */
export async function* guardRows<T>(
  file: string,
  rows: AsyncIterable<Row>,
  parse: (row: Row, ctx: RowContext) => T | undefined,
  options: ReadOptions = {},
): AsyncGenerator<Located<T>> {
  const skip = options.onInvalid === 'skip';
  const iterator = rows[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Row>;
    try {
      next = await iterator.next();
    } catch (error) {
      if (!(skip && error instanceof DataFormatError)) throw error;
      options.onSkip?.(error);
      return;
    }
    if (next.done) return;
    const row = next.value;
    const ctx: RowContext = { file, line: row.line };
    let record: T | undefined;
    try {
      record = parse(row, ctx);
    } catch (error) {
      if (!(skip && error instanceof DataFormatError)) throw error;
      options.onSkip?.(error);
      continue;
    }
    if (record !== undefined) yield { record, file, line: row.line };
  }
}

/** Reads the header row of a file (its first non-blank row). */
export async function readHeader(rows: AsyncIterator<Row>): Promise<Row | undefined> {
  const first = await rows.next();
  return first.done ? undefined : first.value;
}

/**
 * A headed table: reads the header (a missing required column is a file-level error, thrown
 * whatever the policy), then parses each data row under the policy, checking UTF-8 first.
 */
export async function* readTable<T>(
  file: string,
  rows: AsyncIterable<Row>,
  required: readonly string[],
  parse: (columns: HeaderColumns, row: Row, ctx: RowContext) => T | undefined,
  options?: ReadOptions,
): AsyncGenerator<Located<T>> {
  const iterator = rows[Symbol.asyncIterator]();
  const columns = HeaderColumns.fromHeader(file, await readHeader(iterator), required);
  const body: AsyncIterable<Row> = { [Symbol.asyncIterator]: () => iterator };
  yield* guardRows(
    file,
    body,
    (row, ctx) => {
      checkUtf8(file, row, columns.names);
      return parse(columns, row, ctx);
    },
    options,
  );
}
