import { readCsvRows, readTable, requireId } from './delimited';

export interface UserItemPair {
  readonly user: string;
  readonly item: string;
}

/** Reads a `user,item` CSV with a header row (e.g. an exported split's test.csv). */
export async function readPairsCsv(file: string): Promise<UserItemPair[]> {
  const pairs: UserItemPair[] = [];
  const rows = readTable(file, readCsvRows(file), ['user', 'item'], (columns, row, ctx) => ({
    user: requireId(ctx, 'user', columns.get(row, 'user')),
    item: requireId(ctx, 'item', columns.get(row, 'item')),
  }));
  for await (const x of rows) pairs.push(x.record);
  return pairs;
}
