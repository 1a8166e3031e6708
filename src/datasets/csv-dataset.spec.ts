import { datasetFixtures } from '../../test/fixtures/datasets/materialize-fixtures';
import { existsSync } from 'fs';
import { join } from 'path';
import { collectDataset } from './collect-dataset';
import { openCsvDataset, readCsvInteractions, readCsvItems } from './csv-dataset';
import { DataFormatError, MissingFileError } from './dataset.types';
import type { Located } from './located';
import { readDatasetColumns } from './dataset-columns';

const FIXTURES = datasetFixtures();
const OK = join(FIXTURES, 'csv');
const BAD = join(FIXTURES, 'csv-bad');

async function drain<T>(rows: AsyncIterable<Located<T>>): Promise<Located<T>[]> {
  const out: Located<T>[] = [];
  for await (const x of rows) out.push(x);
  return out;
}

async function firstError(rows: AsyncIterable<unknown>): Promise<DataFormatError> {
  try {
    for await (const _ of rows) void _;
  } catch (error) {
    if (error instanceof DataFormatError) return error;
    throw error;
  }
  throw new Error('expected a DataFormatError');
}

describe('generic CSV reader', () => {
  it('reads the valid fixture: quoting, doubled quotes, multi-line fields, BOM, CRLF, blank lines', async () => {
    const source = await openCsvDataset(OK);
    expect(source.name).toBe(`csv:${OK}`);
    expect(source.kinds).toEqual(['actor', 'director', 'genre']);
    const data = await collectDataset(source);
    expect(data.items).toEqual([
      { item: '1', title: 'Usual Suspects, The (1995)', year: 1995 },
      { item: '2', title: 'The "Quoted" Movie', year: 2001 },
      { item: '3', title: 'Plain Title' },
      { item: '10', title: 'Two\nLines', year: 1999 },
    ]);
    expect(data.interactions).toEqual([
      { user: '1', item: '1', rating: 5, timestamp: 100 },
      { user: '1', item: '2', rating: 4, timestamp: 200 },
      { user: '2', item: '10', rating: 3, timestamp: 150 },
      { user: '2', item: '3', rating: 4.5 },
      { user: '3', item: '99', rating: 5, timestamp: 300 },
    ]);
    expect(data.attributes).toHaveLength(5);
    expect(data.attributes[0]).toEqual({ item: '1', kind: 'actor', value: 'kevin_spacey', name: 'Kevin Spacey' });
    expect(data.attributes[3]).toEqual({ item: '2', kind: 'director', value: 'jane_doe', name: 'Doe, Jane' });
    expect(data.attributes[4]).toEqual({ item: '10', kind: 'genre', value: 'drama', name: 'drama' });
  });

  it('reports physical line numbers (header = 1, multi-line records by their first line)', async () => {
    const items = await drain(readCsvItems(join(OK, 'items.csv')));
    expect(items.map((x) => x.line)).toEqual([2, 3, 4, 5]);
    const interactions = await drain(readCsvInteractions(join(OK, 'interactions.csv')));
    expect(interactions.map((x) => x.line)).toEqual([2, 3, 4, 6, 7]);
  });

  it('names file and line of an interaction whose item is absent from items.csv', async () => {
    const source = await openCsvDataset(OK);
    await expect(readDatasetColumns(source)).rejects.toThrow(`${join(OK, 'interactions.csv')}:7: field "item": unknown item "99"`);
    const skipped: DataFormatError[] = [];
    const columns = await readDatasetColumns(source, { onInvalid: 'skip', onSkip: (e) => skipped.push(e) });
    expect(columns.items.ids).toHaveLength(4);
    expect(columns.counts).toEqual({ interactionsRead: 5, attributesRead: 5, unknownItemInteractions: 1, unknownItemAttributes: 0 });
    expect(columns.interactions.item).toHaveLength(4);
    expect(skipped.map((e) => e.line)).toEqual([7]);
  });

  it('throws on the first malformed row with file, line and field in the message', async () => {
    const file = join(BAD, 'interactions.csv');
    const error = await firstError(readCsvInteractions(file));
    expect(error).toMatchObject({ file, line: 3, field: 'rating' });
    expect(error.message).toContain('interactions.csv:3: field "rating": not a number: "five"');
  });

  it('skips and counts malformed rows under onInvalid: skip', async () => {
    const skipped: DataFormatError[] = [];
    const onSkip = (e: DataFormatError): number => skipped.push(e);
    const rows = await drain(readCsvInteractions(join(BAD, 'interactions.csv'), { onInvalid: 'skip', onSkip }));
    expect(rows.map((x) => x.line)).toEqual([2, 6]);
    expect(skipped.map((e) => [e.line, e.field])).toEqual([
      [3, 'rating'],
      [4, 'user'],
      [5, 'timestamp'],
    ]);
    expect(skipped[1].message).toMatch(/empty id/);
  });

  it('detects invalid UTF-8, a bad year and an unterminated quote in items.csv', async () => {
    const file = join(BAD, 'items.csv');
    const first = await firstError(readCsvItems(file));
    expect(first.message).toContain('items.csv:3: field "title": invalid UTF-8');
    const skipped: DataFormatError[] = [];
    const rows = await drain(readCsvItems(file, { onInvalid: 'skip', onSkip: (e) => skipped.push(e) }));
    expect(rows.map((x) => x.record.item)).toEqual(['1']);
    expect(skipped.map((e) => [e.line, e.field])).toEqual([
      [3, 'title'],
      [4, 'year'],
      [5, 'column 2'],
    ]);
    expect(skipped[2].problem).toBe('unterminated quoted field');
  });

  it('rejects a missing column whatever the policy, naming it', async () => {
    await expect(openCsvDataset(BAD)).rejects.toThrow(/item_attributes\.csv:1: field "value": missing column/);
    const source = await openCsvDataset(BAD, { kinds: ['genre'] });
    expect(source.kinds).toEqual(['genre']);
    await expect(collectDataset(source, { onInvalid: 'skip' })).rejects.toThrow(/field "value": missing column/);
  });

  it('names a missing file', async () => {
    await expect(openCsvDataset(join(FIXTURES, 'ml100k'))).rejects.toThrow(MissingFileError);
    await expect(openCsvDataset(join(FIXTURES, 'ml100k'))).rejects.toThrow(/interactions\.csv \(required by the csv layout\)/);
  });

  const SHARED = '/work/shared/data/ml100k-cast';
  const sharedIt = existsSync(SHARED) ? it : it.skip;
  sharedIt('reads the shared ml100k-cast without errors', async () => {
    const source = await openCsvDataset(SHARED);
    const data = await collectDataset(source);
    expect([data.items.length, data.interactions.length, data.attributes.length]).toEqual([1682, 100000, 10801]);
    expect(data.items.find((x) => x.item === '12')?.title).toBe('Usual Suspects, The (1995)');
  });
});
