/**
 * The bulk writer's files and its failure path. The import itself runs against the real server in
 * test/e2e/graph-import.e2e-spec.ts (same graph as the transactional writer); here the server
 * control is a recording stand-in, to check what happens when neo4j-admin fails half-way.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { silentProgress } from '../common/logging/progress';
import { columnsFromRecords } from '../datasets/dataset-columns';
import { BulkImportUnsupportedError, BulkWriter, writeImportCsv } from './bulk-writer';
import { planImport } from './import-plan';
import type { IngestRepository } from './ingest.repository';
import type { LocalNeo4j } from './local-neo4j';

const records = {
  items: [
    { item: '9', title: 'Nine, "the" movie', year: 1999 },
    { item: '10', title: 'Ten' },
    { item: '11', title: 'Eleven', year: 2011 },
  ],
  attributes: [
    { item: '9', kind: 'genre', value: 'drama', name: 'Drama' },
    { item: '9', kind: 'actor', value: 'a;1', name: 'A1', rank: 1 },
    { item: '10', kind: 'actor', value: 'a;1', name: 'A1', rank: 2 },
    { item: '10', kind: 'genre', value: 'drama', name: 'Drama' },
    { item: '11', kind: 'genre', value: 'drama', name: 'Drama' },
  ],
  interactions: ['u1', 'u2'].flatMap((user) => [
    { user, item: '9', rating: 5, timestamp: 100 },
    { user, item: '10', rating: 4 },
    { user, item: '11', rating: user === 'u1' ? 5 : 2, timestamp: 300 },
  ]),
};

const plan = (titleOverride?: string) =>
  planImport(
    columnsFromRecords(titleOverride ? { ...records, items: [{ item: '9', title: titleOverride }, ...records.items.slice(1)] } : records),
    ['actor', 'genre'],
    { positiveThreshold: 3, minHistory: 2, minSupport: 1, topM: null, networks: true, heldOut: [{ user: 'u1', item: '11' }] },
  );

function lines(dir: string, file: string): string[] {
  return readFileSync(join(dir, file), 'utf8').trimEnd().split('\n');
}

describe('writeImportCsv (the files neo4j-admin reads)', () => {
  it('writes nodes and relationships with typed headers, quoting, U+001F arrays and edges from the smaller id (string order)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eran-bulk-'));
    const csv = await writeImportCsv(plan(), dir, silentProgress);
    expect(readdirSync(dir).sort()).toEqual(['has.csv', 'items.csv', 'network-actor.csv', 'network-genre.csv', 'purchases.csv', 'users.csv', 'values.csv']);
    expect(lines(dir, 'items.csv')).toEqual([
      'id:ID(Item),title,year:double,attrs:string[],:LABEL',
      '9,"Nine, ""the"" movie",1999,actor:a;1\u001fgenre:drama,Item',
      '10,Ten,,actor:a;1\u001fgenre:drama,Item',
      '11,Eleven,2011,genre:drama,Item',
    ]);
    expect(lines(dir, 'values.csv').slice(1)).toEqual(['genre:drama,genre,drama,Drama,Attribute\u001fGenre', 'actor:a;1,actor,a;1,A1,Attribute\u001fActor']);
    expect(lines(dir, 'has.csv')).toContain('10,actor:a;1,2,HAS_ACTOR');
    expect(lines(dir, 'has.csv')).toContain('11,genre:drama,,HAS_GENRE');
    // u1's purchase of 11 is held out; u2 rated 11 at 2 (not a positive).
    expect(lines(dir, 'purchases.csv')).toEqual([
      ':START_ID(User),:END_ID(Item),rating:double,at:double,:TYPE',
      'u1,9,5,100,PURCHASED',
      'u1,10,4,,PURCHASED',
      'u2,9,5,100,PURCHASED',
      'u2,10,4,,PURCHASED',
      'u1,11,5,300,HELD_OUT',
    ]);
    // '10' < '9' as strings: the stored direction of the Cypher construction.
    expect(lines(dir, 'network-actor.csv')).toEqual([':START_ID(Item),:END_ID(Item),weight:long,via:string[],:TYPE', '10,9,2,a;1,ACTOR']);
    expect(lines(dir, 'network-genre.csv').slice(1)).toEqual(['10,9,2,drama,GENRE']);
    expect(csv.rows).toBe(3 + 2 + 2 + 5 + 5 + 2);
    expect(csv.args).toContain('--array-delimiter=\\u001F');
    expect(csv.args).not.toContain('--multiline-fields=true');
  });

  it('asks for multi-line parsing when a field holds a line break, and refuses a value holding U+001F', async () => {
    const multiline = await writeImportCsv(plan('Two\nlines'), mkdtempSync(join(tmpdir(), 'eran-bulk-')), silentProgress);
    expect(multiline.args).toContain('--multiline-fields=true');
    await expect(writeImportCsv(plan('bad\u001ftitle'), mkdtempSync(join(tmpdir(), 'eran-bulk-')), silentProgress)).rejects.toThrow(BulkImportUnsupportedError);
  });
});

describe('BulkWriter when neo4j-admin fails', () => {
  it('says so when the reset to empty fails as well, and still starts the server', async () => {
    const calls: string[] = [];
    const local = {
      dataDir: mkdtempSync(join(tmpdir(), 'eran-bulk-data-')),
      stop: async () => void calls.push('stop'),
      start: async () => void calls.push('start'),
      bulkImport: async () => {
        calls.push('import');
        throw new Error('disk full');
      },
    } as unknown as LocalNeo4j;
    const error = await new BulkWriter(local, {} as IngestRepository).write(plan(), silentProgress, (_n, _r, work) => work()).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^disk full; resetting the database to empty failed too \(disk full\).*--reset$/);
    expect(calls).toEqual(['stop', 'import', 'import', 'start']);
  });

  it('resets the database to empty, starts the server again and reports the failure; the files are removed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eran-bulk-data-'));
    const calls: string[] = [];
    const local = {
      dataDir,
      stop: async () => void calls.push('stop'),
      start: async () => void calls.push('start'),
      bulkImport: async (args: readonly string[]) => {
        calls.push(`import ${args.filter((a) => a.startsWith('--nodes') || a.startsWith('--relationships')).length} files`);
        if (calls.filter((c) => c.startsWith('import')).length === 1) throw new Error('importer crashed');
        return '';
      },
    } as unknown as LocalNeo4j;
    const repo = {
      isEmpty: async () => {
        calls.push('read');
        return true;
      },
      migrate: async () => {
        calls.push('migrate');
        return [];
      },
    } as unknown as IngestRepository;
    const phases: string[] = [];
    const error = await new BulkWriter(local, repo)
      .write(plan(), silentProgress, async (name, _rows, work) => {
        phases.push(name);
        return work();
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('importer crashed');
    expect(calls).toEqual(['stop', 'import 7 files', 'import 1 files', 'start']);
    expect(phases).toEqual(['csv files', 'stop neo4j', 'neo4j-admin import', 'start neo4j']);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
