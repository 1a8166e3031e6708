import { datasetFixtures } from '../../test/fixtures/datasets/materialize-fixtures';
import { join } from 'path';
import { collectDataset } from './collect-dataset';
import { DataFormatError } from './dataset.types';
import { openKaggleMovies } from './kaggle-movies';
import { readDatasetColumns } from './dataset-columns';

const FIXTURES = datasetFixtures();
const DIR = join(FIXTURES, 'kaggle');

describe('Kaggle "The Movies Dataset" reader', () => {
  it('maps ratings to tmdb ids, keeps linked movies once, reads cast/crew/genres literals', async () => {
    const source = await openKaggleMovies(DIR);
    expect(source.kinds).toEqual(['actor', 'director', 'genre']);
    const data = await collectDataset(source);
    expect(data.items).toEqual([
      { item: '862', title: 'Toy Story', year: 1995 },
      { item: '8844', title: 'Jumanji', year: 1995 },
      { item: '949', title: 'Heat' },
    ]);
    expect(data.interactions).toEqual([
      { user: '1', item: '862', rating: 4, timestamp: 1260759144 },
      { user: '1', item: '8844', rating: 3.5, timestamp: 1260759179 },
      { user: '2', item: '949', rating: 5, timestamp: 1260759182 },
      { user: '2', item: 'movielens:7', rating: 2, timestamp: 1260759185 },
      { user: '2', item: '862', rating: 4.5, timestamp: 1260759200 },
    ]);
    const actors = data.attributes.filter((a) => a.kind === 'actor');
    expect(actors.filter((a) => a.item === '862').map((a) => [a.value, a.name, a.rank])).toEqual([
      ['31', 'Tom Hanks', 1],
      ['12898', 'Tim Allen', 2],
      ['7167', 'Don Rickles', 3],
      ['12899', 'Jim Varney', 4],
      ['12900', 'Wallace Shawn', 5],
    ]);
    expect(actors.find((a) => a.value === '8537')?.name).toBe("Denis O'Brien");
    expect(data.attributes.filter((a) => a.kind === 'director').map((a) => `${a.item}:${a.value}:${a.name}`)).toEqual([
      '862:7879:John Lasseter',
      '8844:4945:Joe Johnston',
      '949:638:Michael Mann',
      '949:639:José Co-Director',
    ]);
    expect(data.attributes.filter((a) => a.kind === 'genre').map((a) => `${a.item}:${a.value}`)).toEqual([
      '862:animation',
      '862:comedy',
      '862:family',
      '8844:adventure',
      '8844:fantasy',
      '949:action',
      '949:crime',
    ]);
    expect(data.attributes).toHaveLength(19);
  });

  it('leaves a rating without a tmdb link for the import reference check to report with its line', async () => {
    const source = await openKaggleMovies(DIR);
    await expect(readDatasetColumns(source)).rejects.toThrow(`${join(DIR, 'ratings_small.csv')}:5: field "item": unknown item "movielens:7"`);
  });

  it('reports an invalid Python literal with file, line and field', async () => {
    const dir = join(FIXTURES, 'kaggle-bad');
    const source = await openKaggleMovies(dir);
    await expect(collectDataset(source)).rejects.toThrow(
      new RegExp(`credits\\.csv:2: field "cast": invalid Python literal at character \\d+: unterminated string`),
    );
    const skipped: DataFormatError[] = [];
    const data = await collectDataset(source, { onInvalid: 'skip', onSkip: (e) => skipped.push(e) });
    expect(data.attributes).toEqual([]);
    expect(data.items).toHaveLength(1);
    expect(skipped.map((e) => `${e.file.split('/').pop()}:${e.line}:${e.field}`)).toEqual(['credits.csv:2:cast', 'movies_metadata.csv:2:genres']);
  });
});
