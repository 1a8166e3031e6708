/**
 * A small parser for the Python literals that pandas wrote into the Kaggle "The Movies Dataset"
 * CSVs (`[{'id': 16, 'name': 'Animation'}]`): lists, tuples, dicts, str (single or double
 * quoted, with backslash escapes), int, float, None, True, False. Never evaluates anything.
 */

export type PyValue = null | boolean | number | string | PyValue[] | PyDict;
export interface PyDict {
  readonly [key: string]: PyValue;
}

export class PythonLiteralError extends Error {
  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(`at character ${position + 1}: ${problem}`);
    this.name = 'PythonLiteralError';
  }
}

export function parsePythonLiteral(text: string): PyValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skipSpace();
  if (!parser.done()) parser.fail('unexpected trailing text');
  return value;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  fail(problem: string): never {
    throw new PythonLiteralError(this.pos, problem);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  value(): PyValue {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === undefined) this.fail('unexpected end of text');
    if (ch === '[') return this.sequence('[', ']');
    if (ch === '(') return this.sequence('(', ')');
    if (ch === '{') return this.dict();
    if (ch === "'" || ch === '"') return this.string();
    if (ch === '-' || ch === '+' || ch === '.' || (ch >= '0' && ch <= '9')) return this.number();
    for (const [word, value] of [
      ['None', null],
      ['True', true],
      ['False', false],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(ch)}`);
  }

  private sequence(open: string, close: string): PyValue[] {
    this.pos++;
    const out: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.separator(close, open);
    }
  }

  private dict(): PyDict {
    this.pos++;
    const out: Record<string, PyValue> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string' && typeof key !== 'number') this.fail('dict key must be a string or a number');
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after a dict key");
      this.pos++;
      out[String(key)] = this.value();
      this.separator('}', '{');
    }
  }

  /** After an element: a comma, or the closing bracket (left for the caller). */
  private separator(close: string, open: string): void {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === ',') this.pos++;
    else if (ch !== close) this.fail(ch === undefined ? `unclosed '${open}'` : `expected ',' or '${close}', got ${JSON.stringify(ch)}`);
  }

  private string(): string {
    const quote = this.text[this.pos++];
    let out = '';
    for (;;) {
      const ch = this.text[this.pos++];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.text[this.pos++];
      if (esc === 'x' || esc === 'u' || esc === 'U') {
        const width = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
        const hex = this.text.slice(this.pos, this.pos + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) this.fail(`bad \\${esc} escape`);
        out += String.fromCodePoint(parseInt(hex, 16));
        this.pos += width;
      } else if (esc !== undefined && esc in ESCAPES) out += ESCAPES[esc];
      else if (esc === '\n') continue;
      else out += `\\${esc ?? ''}`; // Python keeps unknown escapes verbatim.
    }
  }

  private number(): number {
    const match = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!match) this.fail('bad number');
    this.pos += match[0].length;
    return Number(match[0]);
  }
}
