import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { columnsFromRecords, readDatasetColumns } from './dataset-columns';
import { openCsvDataset } from './csv-dataset';
import { DataFormatError, type DatasetSource } from './dataset.types';

function csvDir(files: Record<string, string[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eran-columns-'));
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  return dir;
}

const files = {
  'items.csv': ['item,title,year', '1,First,1990', '2,Second,', '1,First again,1991', '10,Tenth,2000'],
  'item_attributes.csv': ['item,kind,value,name,rank', '1,actor,a1,A One,1', '1,actor,a1,Ignored,2', '2,actor,a1,,', '1,genre,g1,G,', '10,director,d1,D,'],
  'interactions.csv': ['user,item,rating,timestamp', 'u1,1,5,100', 'u2,2,4,', 'u1,1,2,300', 'u3,10,3.5,400'],
};

describe('readDatasetColumns (one streaming pass into typed columns)', () => {
  it('keeps items in first-seen order with their last title, links once per (item, value), every interaction row', async () => {
    const columns = await readDatasetColumns(await openCsvDataset(csvDir(files)));
    expect(columns.items.ids).toEqual(['1', '2', '10']);
    expect(columns.items.titles).toEqual(['First again', 'Second', 'Tenth']);
    expect(Array.from(columns.items.years)).toEqual([1991, NaN, 2000]);
    expect(columns.values.uids).toEqual(['actor:a1', 'genre:g1', 'director:d1']);
    expect(columns.values.names).toEqual(['A One', 'G', 'D']);
    expect(Array.from(columns.links.item)).toEqual([0, 1, 0, 2]);
    expect(Array.from(columns.links.rank)).toEqual([1, 0, 0, 0]);
    expect(columns.seenKinds).toEqual(['actor', 'director', 'genre']);
    expect(columns.userIds).toEqual(['u1', 'u2', 'u3']);
    // Repeated pairs stay as rows (the last one wins later, in buildTrainingSet).
    expect(Array.from(columns.interactions.user)).toEqual([0, 1, 0, 2]);
    expect(Array.from(columns.interactions.rating)).toEqual([5, 4, 2, 3.5]);
    expect(Array.from(columns.interactions.time)).toEqual([100, NaN, 300, 400]);
    expect(columns.interactions.user).toBeInstanceOf(Int32Array);
    expect(columns.counts).toEqual({ interactionsRead: 4, attributesRead: 5, unknownItemInteractions: 0, unknownItemAttributes: 0 });
  });

  it('keeps only the asked kinds', async () => {
    const columns = await readDatasetColumns(await openCsvDataset(csvDir(files)), { kinds: ['genre'] });
    expect(columns.values.uids).toEqual(['genre:g1']);
    expect(columns.links.item).toHaveLength(1);
    expect(columns.counts.attributesRead).toBe(5);
  });

  it('stops at the first row naming an unknown item with file:line, or skips and counts it', async () => {
    const dir = csvDir({ ...files, 'item_attributes.csv': [...files['item_attributes.csv'], '77,actor,a2,,'] });
    const error = await readDatasetColumns(await openCsvDataset(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).message).toBe(`${join(dir, 'item_attributes.csv')}:7: field "item": unknown item "77" (absent from the items file)`);
    const skipped: DataFormatError[] = [];
    const columns = await readDatasetColumns(await openCsvDataset(dir), { onInvalid: 'skip', onSkip: (e) => skipped.push(e) });
    expect(skipped.map((e) => e.line)).toEqual([7]);
    expect(columns.counts.unknownItemAttributes).toBe(1);
    expect(columns.values.uids).not.toContain('actor:a2');
  });

  it('counts, without failing, unknown items of a source that cannot locate rows', async () => {
    async function* of<T>(rows: T[]): AsyncGenerator<T> {
      yield* rows;
    }
    const source: DatasetSource = {
      name: 'plain',
      kinds: ['actor'],
      items: () => of([{ item: '1', title: 'One' }]),
      attributes: () => of([{ item: '2', kind: 'actor', value: 'a', name: 'a' }]),
      interactions: () =>
        of([
          { user: 'u', item: '1', rating: 5 },
          { user: 'v', item: '2', rating: 5 },
        ]),
    };
    const ticks: number[] = [];
    const columns = await readDatasetColumns(source, { onRows: (n) => ticks.push(n) });
    expect(columns.counts).toEqual({ interactionsRead: 2, attributesRead: 1, unknownItemInteractions: 1, unknownItemAttributes: 1 });
    expect(columns.userIds).toEqual(['u', 'v']);
    expect(ticks[ticks.length - 1]).toBe(4);
  });

  it('gives the same columns from records in memory', async () => {
    const streamed = await readDatasetColumns(await openCsvDataset(csvDir(files)));
    const records = columnsFromRecords({
      items: [
        { item: '1', title: 'First', year: 1990 },
        { item: '2', title: 'Second' },
        { item: '1', title: 'First again', year: 1991 },
        { item: '10', title: 'Tenth', year: 2000 },
      ],
      attributes: [
        { item: '1', kind: 'actor', value: 'a1', name: 'A One', rank: 1 },
        { item: '1', kind: 'actor', value: 'a1', name: 'Ignored', rank: 2 },
        { item: '2', kind: 'actor', value: 'a1', name: 'a1' },
        { item: '1', kind: 'genre', value: 'g1', name: 'G' },
        { item: '10', kind: 'director', value: 'd1', name: 'D' },
      ],
      interactions: [
        { user: 'u1', item: '1', rating: 5, timestamp: 100 },
        { user: 'u2', item: '2', rating: 4 },
        { user: 'u1', item: '1', rating: 2, timestamp: 300 },
        { user: 'u3', item: '10', rating: 3.5, timestamp: 400 },
      ],
    });
    expect({ ...records, name: streamed.name, declaredKinds: streamed.declaredKinds }).toEqual(streamed);
  });
});
