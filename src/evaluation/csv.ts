/**
 * Minimal RFC 4180 CSV reading and writing for split and rank files. The dataset readers in
 * src/datasets own the dataset layouts; this only serves the evaluation's own files and keeps
 * them readable by any CSV tool (header row, quotes only where a field needs them).
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';

export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  let i = 0;
  const n = text.length;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    // A lone empty field is a blank line, not a record.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  while (i < n) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"') inQuotes = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') endRecord();
    else if (c !== '\r') field += c;
    i++;
  }
  if (field !== '' || record.length > 0) endRecord();
  const [header = [], ...rows] = records;
  return { header, rows };
}

export async function readCsvFile(path: string): Promise<CsvTable> {
  return parseCsv(await fs.readFile(path, 'utf8'));
}

/** Column positions by name; throws naming the file and the missing column. */
export function columnIndexes<K extends string>(
  table: CsvTable,
  file: string,
  required: readonly K[],
  optional: readonly string[] = [],
): Record<K, number> & Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of [...required, ...optional]) {
    const at = table.header.indexOf(name);
    if (at < 0 && (required as readonly string[]).includes(name)) {
      throw new Error(`${file}: missing column "${name}" (header: ${table.header.join(',')})`);
    }
    out[name] = at;
  }
  return out as Record<K, number> & Record<string, number>;
}

export function csvField(value: string | number): string {
  const s = typeof value === 'number' ? numberField(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number)[]): string {
  return values.map(csvField).join(',') + '\n';
}

/** Buffered CSV writer: rank files reach millions of rows, so rows are streamed, not joined. */
export interface CsvWriter {
  write(values: readonly (string | number)[]): void;
  close(): Promise<void>;
}

/** `header` null: rows only (a part to be appended to a file that has one). */
export function openCsvWriter(path: string, header: readonly string[] | null): CsvWriter {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8' });
  let buffer = header ? csvLine(header) : '';
  const flush = (): void => {
    if (buffer.length > 0) stream.write(buffer);
    buffer = '';
  };
  return {
    write(values) {
      buffer += csvLine(values);
      if (buffer.length > 1 << 16) flush();
    },
    close() {
      flush();
      return new Promise((resolve, reject) => {
        stream.on('error', reject);
        stream.end(() => resolve());
      });
    },
  };
}

function numberField(value: number): string {
  // String() round-trips every finite double exactly; NaN marks "absent" and is written empty.
  return Number.isNaN(value) ? '' : String(value);
}
