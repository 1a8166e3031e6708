/** Streaming CSV output: lines are buffered into 64 KiB chunks and written with back-pressure. */
import { createWriteStream } from 'fs';
import { once } from 'events';

/** RFC 4180 quoting, only where needed. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes `header` and then every line the generator yields; returns the number of lines (header excluded). */
export async function writeCsvLines(file: string, header: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let chunk = `${header}\n`;
  let count = 0;
  for (const line of lines) {
    chunk += `${line}\n`;
    count++;
    if (chunk.length >= 1 << 16) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
      chunk = '';
    }
  }
  out.end(chunk);
  await Promise.race([once(out, 'finish'), failed]);
  return count;
}
