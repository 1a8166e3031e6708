import { datasetFixtures } from '../../test/fixtures/datasets/materialize-fixtures';
import { existsSync } from 'fs';
import { join } from 'path';
import { collectDataset } from './collect-dataset';
import { DataFormatError, MissingFileError } from './dataset.types';
import { openMovieLens100k, readMl100kRatings } from './movielens-100k';

const FIXTURES = datasetFixtures();

describe('MovieLens-100k reader', () => {
  it('reads the fixture: tab ratings, latin-1 titles, genres from flags named by u.genre', async () => {
    const dir = join(FIXTURES, 'ml100k');
    const source = await openMovieLens100k(dir);
    expect(source.kinds).toEqual(['genre']);
    const data = await collectDataset(source);
    expect(data.items).toEqual([
      { item: '1', title: 'Toy Story (1995)', year: 1995 },
      { item: '2', title: 'Misérables, Les (1995)', year: 1995 },
      { item: '3', title: 'unknown' },
    ]);
    expect(data.attributes.map((a) => `${a.item}:${a.value}:${a.name}`)).toEqual([
      '1:animation:Animation',
      "1:children_s:Children's",
      '1:comedy:Comedy',
      '2:drama:Drama',
      '2:musical:Musical',
    ]);
    expect(data.interactions).toHaveLength(4);
    expect(data.interactions[0]).toEqual({ user: '196', item: '1', rating: 3, timestamp: 881250949 });
  });

  it('reports malformed rows with file, line and field; skip counts them', async () => {
    const dir = join(FIXTURES, 'ml100k-bad');
    const skipped: DataFormatError[] = [];
    const source = await openMovieLens100k(dir);
    const data = await collectDataset(source, { onInvalid: 'skip', onSkip: (e) => skipped.push(e) });
    expect(data.interactions).toHaveLength(1);
    expect(data.items.map((x) => x.item)).toEqual(['1', '3']);
    const messages = skipped.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        `${join(dir, 'u.data')}:2: field "rating": not a number: "x"`,
        expect.stringContaining(`${join(dir, 'u.data')}:3: field "timestamp": missing value`),
        expect.stringContaining(`${join(dir, 'u.item')}:2: field "video release date": missing value`),
        expect.stringContaining(`${join(dir, 'u.item')}:3: field "Drama": genre flag must be 0 or 1`),
      ]),
    );
    await expect(collectDataset(source)).rejects.toThrow(DataFormatError);
    await expect(async () => {
      for await (const _ of readMl100kRatings(join(dir, 'u.data'))) void _;
    }).rejects.toThrow('u.data:2: field "rating"');
  });

  it('names a missing u.data', async () => {
    await expect(openMovieLens100k(join(FIXTURES, 'csv'))).rejects.toThrow(MissingFileError);
    await expect(openMovieLens100k(join(FIXTURES, 'csv'))).rejects.toThrow(/u\.data/);
  });

  const SHARED = '/work/shared/data/ml-100k';
  (existsSync(SHARED) ? it : it.skip)('reads the shared ml-100k', async () => {
    const data = await collectDataset(await openMovieLens100k(SHARED));
    expect([data.items.length, data.interactions.length, data.attributes.length]).toEqual([1682, 100000, 2891]);
    expect(data.items.find((x) => x.item === '543')?.title).toBe('Misérables, Les (1995)');
    expect(data.items.find((x) => x.item === '267')?.year).toBeUndefined();
  });
});
