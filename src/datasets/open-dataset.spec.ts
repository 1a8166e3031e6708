import { datasetFixtures } from '../../test/fixtures/datasets/materialize-fixtures';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { collectDataset } from './collect-dataset';
import { DATASET_FORMATS, isDatasetFormat, openDataset } from './open-dataset';

const FIXTURES = datasetFixtures();

describe('openDataset', () => {
  it('opens every format by name', async () => {
    const cases = [
      ['csv', 'csv', ['actor', 'director', 'genre']],
      ['movielens-100k', 'ml100k', ['genre']],
      ['hetrec', 'hetrec', ['actor', 'director', 'genre']],
      ['kaggle', 'kaggle', ['actor', 'director', 'genre']],
    ] as const;
    for (const [format, folder, kinds] of cases) {
      const source = await openDataset(format, join(FIXTURES, folder));
      expect(source.kinds).toEqual(kinds);
      expect((await collectDataset(source)).items.length).toBeGreaterThan(0);
    }
    const synthetic = await openDataset('synthetic', undefined, { synthetic: { users: 9, items: 20 } });
    expect((await collectDataset(synthetic)).items).toHaveLength(20);
  });

  it('validates its arguments', async () => {
    expect(DATASET_FORMATS).toContain('kaggle');
    expect(isDatasetFormat('hetrec')).toBe(true);
    expect(isDatasetFormat('parquet')).toBe(false);
    await expect(openDataset('csv')).rejects.toThrow(/needs a path/);
    await expect(openDataset('hetrec', join(FIXTURES, 'hetrec'), { kinds: ['writer'] })).rejects.toThrow(/kinds actor, director, genre/);
    await expect(openDataset('parquet' as 'csv', '/data')).rejects.toThrow(
      "unknown format 'parquet' (formats: csv, movielens-100k, hetrec, kaggle, synthetic)",
    );
  });

  it('refuses a CSV dataset whose attribute kind would clash with the graph, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eran-kind-'));
    writeFileSync(join(dir, 'interactions.csv'), 'user,item,rating\nu1,i1,5\n');
    writeFileSync(join(dir, 'items.csv'), 'item,title\ni1,One\n');
    writeFileSync(join(dir, 'item_attributes.csv'), 'item,kind,value\ni1,actor,a\ni1,Item,x\n');
    await expect(openDataset('csv', dir)).rejects.toThrow(`${join(dir, 'item_attributes.csv')}: attribute kind "item" is reserved`);
  });
});
