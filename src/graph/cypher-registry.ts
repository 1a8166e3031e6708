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

  /**
   * A query whose relationship types are written into its patterns: each `{{name}}` marker is
   * replaced by the type given for it. On Neo4j 5.26 a type from a parameter (`[:$(rel)]`) does not
   * select relationships while expanding (every relationship of a node is read, then filtered), and
   * in a variable-length `shortestPath` it is not applied at all; a written type reads only that
   * type's relationships of a dense node. Types must be upper-case identifiers (what `kindNames`
   * makes of a validated kind), so nothing but a type can enter the statement.
   */
  typed(name: string, types: Readonly<Record<string, string>>): string {
    const query = this.get(name);
    const markers = typeMarkers(query);
    for (const marker of markers) {
      const type = types[marker];
      if (type === undefined) throw new Error(`Cypher query "${name}" needs the relationship type {{${marker}}}`);
      if (!RELATIONSHIP_TYPE.test(type)) throw new RangeError(`"${type}" is not a relationship type for {{${marker}}} of "${name}"`);
    }
    const unused = Object.keys(types).filter((key) => !markers.includes(key));
    if (unused.length > 0) throw new Error(`Cypher query "${name}" has no marker {{${unused.join('}}, {{')}}}`);
    return query.replace(TYPE_MARKER, (_, marker: string) => `\`${types[marker]}\``);
  }

  /** The `{{name}}` relationship-type markers of a query (empty for an ordinary one). */
  typeMarkers(name: string): string[] {
    return typeMarkers(this.get(name));
  }

  names(): string[] {
    return [...this.queries.keys()].sort();
  }
}

const TYPE_MARKER = /\{\{([a-z][A-Za-z]*)\}\}/g;
const RELATIONSHIP_TYPE = /^[A-Z][A-Z0-9_]*$/;

function typeMarkers(query: string): string[] {
  return [...new Set([...query.matchAll(TYPE_MARKER)].map((m) => m[1]!))];
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
