/**
 * Streams a text file as physical lines with 1-based line numbers. Lines are split on bytes
 * (not via readline) so that each line's UTF-8 can be checked exactly: readline would silently
 * turn invalid bytes into U+FFFD, indistinguishable from a U+FFFD that is really in the file.
 */
import { createReadStream } from 'fs';
import { isUtf8 } from 'buffer';

export type TextEncoding = 'utf8' | 'latin1';

export interface TextLine {
  /** The line without its terminator (LF or CRLF); a UTF-8 BOM on line 1 is removed. */
  readonly text: string;
  /** 1-based physical line number. */
  readonly line: number;
  /** The raw bytes were not valid UTF-8 (text was decoded with U+FFFD replacements). */
  readonly invalidUtf8: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

export async function* readTextLines(path: string, encoding: TextEncoding): AsyncGenerator<TextLine> {
  let pending: Buffer | undefined;
  let line = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    const buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let nl = buffer.indexOf(LF, start); nl !== -1; nl = buffer.indexOf(LF, start)) {
      yield decodeLine(buffer.subarray(start, nl), ++line, encoding);
      start = nl + 1;
    }
    // Copy: the stream may reuse chunk memory.
    pending = start < buffer.length ? Buffer.from(buffer.subarray(start)) : undefined;
  }
  if (pending && pending.length > 0) yield decodeLine(pending, ++line, encoding);
}

function decodeLine(bytes: Buffer, line: number, encoding: TextEncoding): TextLine {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  const raw = bytes.subarray(0, end);
  if (encoding === 'latin1') return { text: raw.toString('latin1'), line, invalidUtf8: false };
  const invalidUtf8 = !isUtf8(raw);
  let text = raw.toString('utf8');
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, line, invalidUtf8 };
}
