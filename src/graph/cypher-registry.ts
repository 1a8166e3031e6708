import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * All Cypher lives in `cypher/**\/*.cypher`, one query per file, loaded once by name
 * (`ingest/merge-items` for `cypher/ingest/merge-items.cypher`). Asking for a name that has
 * no file fails immediately instead of at query time.
 */
export class CypherRegistry {
  private constructor(
    readonly root: string,
    private readonly queries: ReadonlyMap<string, string>,
  ) {}

  static load(root: string = defaultCypherRoot()): CypherRegistry {
    const queries = new Map<string, string>();
    for (const file of walk(root)) {
      if (!file.endsWith('.cypher')) continue;
      const name = relative(root, file)
        .split(sep)
        .join('/')
        .replace(/\.cypher$/, '');
      const text = stripComments(readFileSync(file, 'utf8'));
      if (text.length === 0) throw new Error(`cypher file ${file} is empty`);
      queries.set(name, text);
    }
    return new CypherRegistry(root, queries);
  }

  get(name: string): string {
    const query = this.queries.get(name);
    if (query === undefined) {
      throw new Error(`no Cypher query named "${name}" (expected file ${join(this.root, `${name}.cypher`)})`);
    }
    return query;
  }

  names(): string[] {
    return [...this.queries.keys()].sort();
  }
}

export function defaultCypherRoot(): string {
  return join(__dirname, '..', '..', 'cypher');
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** `//` comment lines document the query for Browser users; the driver gets the statement only. */
function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n')
    .trim()
    .replace(/;\s*$/, '');
}
