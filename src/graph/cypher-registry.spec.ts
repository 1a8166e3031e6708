import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CypherRegistry } from './cypher-registry';

/** A query file nobody runs is dead weight; a name with no file fails at query time. Both fail here. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('CypherRegistry', () => {
  const registry = CypherRegistry.load();
  const root = join(__dirname, '..', '..');
  const code = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'test', 'e2e'))].map((f) => readFileSync(f, 'utf8')).join('\n');

  it('loads every file under cypher/ by its path name, without comments', () => {
    expect(registry.names()).toContain('ingest/merge-items');
    expect(registry.get('ingest/merge-items')).toMatch(/^UNWIND \$rows AS row/);
    expect(registry.get('networks/build-network-edges')).not.toContain('//');
  });

  it('fails clearly on an unknown name', () => {
    expect(() => registry.get('nope/missing')).toThrow(/no Cypher query named "nope\/missing"/);
  });

  it('every query file is referenced by the code (explore/ files by the e2e exploration test)', () => {
    const unused = registry.names().filter((name) => !code.includes(`'${name}'`));
    expect(unused).toEqual([]);
  });

  it('every query name the code uses has a file', () => {
    const used = [...code.matchAll(/'((?:schema|ingest|networks|stats|training|explore|recommend|catalog|search)\/[a-z0-9-]+)'/g)].map((m) => m[1]!);
    const missing = [...new Set(used)].filter((name) => !registry.names().includes(name));
    expect(missing).toEqual([]);
  });

  it('writes relationship types into typed queries, and nothing that is not a type', () => {
    expect(registry.typeMarkers('recommend/network-links')).toEqual(['rel']);
    expect(registry.typeMarkers('catalog/read-user-history')).toEqual([]);
    const typed = registry.typed('recommend/network-links', { rel: 'ACTOR' });
    expect(typed).toContain('shortestPath((j)-[:`ACTOR`*1..3]-(i))');
    expect(typed).not.toContain('{{');
    expect(() => registry.typed('recommend/network-links', {})).toThrow(/needs the relationship type \{\{rel\}\}/);
    expect(() => registry.typed('recommend/network-links', { rel: 'ACTOR`]-() DETACH DELETE (i) //' })).toThrow(RangeError);
    expect(() => registry.typed('recommend/network-links', { rel: 'actor' })).toThrow(RangeError);
    expect(() => registry.typed('recommend/network-links', { rel: 'ACTOR', other: 'GENRE' })).toThrow(/no marker \{\{other\}\}/);
  });

  it('uses $parameters only: no string-built Cypher placeholders', () => {
    for (const name of registry.names()) expect(registry.get(name)).not.toMatch(/\$\{|\+ *'/);
  });
});
