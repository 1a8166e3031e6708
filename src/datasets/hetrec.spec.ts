import { datasetFixtures } from '../../test/fixtures/datasets/materialize-fixtures';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { collectDataset } from './collect-dataset';
import { DataFormatError, MissingFileError } from './dataset.types';
import { openHetrec, readHetrecRatings } from './hetrec';

const FIXTURES = datasetFixtures();
const DIR = join(FIXTURES, 'hetrec');

/** A temporary copy of the fixture without some files and with extra ones. */
function variant(without: string[], extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'hetrec-'));
  for (const name of readdirSync(DIR)) if (!without.includes(name)) copyFileSync(join(DIR, name), join(dir, name));
  for (const path of extra) copyFileSync(path, join(dir, path.split('/').pop()!));
  return dir;
}

describe('HetRec 2011 reader', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('reads the fixture: latin-1, CRLF stripped, ms timestamps to seconds, top-5 actors', async () => {
    const source = await openHetrec(DIR);
    expect(source.kinds).toEqual(['actor', 'director', 'genre']);
    const data = await collectDataset(source);
    expect(data.items).toHaveLength(4);
    expect(data.items[2]).toEqual({ item: '3', title: 'Amélie', year: 2001 });
    expect(data.interactions).toEqual([
      { user: '75', item: '3', rating: 1, timestamp: 1162160236 },
      { user: '75', item: '1', rating: 4.5, timestamp: 1162160415 },
      { user: '78', item: '2', rating: 3.5, timestamp: 1163374957 },
      { user: '78', item: '4', rating: 5, timestamp: 1163374993 },
    ]);
    const actors = data.attributes.filter((a) => a.kind === 'actor');
    expect(actors.map((a) => a.value)).toEqual([
      'tom_hanks',
      'tim_allen',
      'robin_williams',
      'audrey_tautou',
      'mathieu_kassovitz',
      'jack_lemmon',
      'penelope_cruz',
    ]);
    expect(actors[6]).toEqual({ item: '4', kind: 'actor', value: 'penelope_cruz', name: 'Penélope Cruz', rank: 3 });
    expect(data.attributes.filter((a) => a.kind === 'director')[2]).toEqual({
      item: '3',
      kind: 'director',
      value: 'jean-pierre_jeunet',
      name: 'Jean-Pierre Jeunet',
    });
    expect(data.attributes.filter((a) => a.kind === 'genre').map((a) => `${a.item}:${a.value}`)).toEqual([
      '1:adventure',
      '1:animation',
      '2:adventure',
      '3:comedy',
      '3:romance',
      '4:comedy',
    ]);
    expect(data.attributes.every((a) => !/\r/.test(a.name) && !/\r/.test(a.value))).toBe(true);
    const all = await collectDataset(await openHetrec(DIR, { maxActorRank: 10 }));
    expect(all.attributes.filter((a) => a.kind === 'actor')).toHaveLength(9);
  });

  it('reads user_ratedmovies.dat date columns as UTC when there is no timestamps file', async () => {
    const dir = variant(['user_ratedmovies-timestamps.dat'], [join(FIXTURES, 'hetrec-dates', 'user_ratedmovies.dat')]);
    made.push(dir);
    const data = await collectDataset(await openHetrec(dir));
    expect(data.interactions[0]).toEqual({ user: '75', item: '3', rating: 1, timestamp: Date.UTC(2006, 9, 29, 23, 17, 16) / 1000 });
  });

  it('names a missing required file', async () => {
    const noActors = variant(['movie_actors.dat']);
    const noRatings = variant(['user_ratedmovies-timestamps.dat']);
    made.push(noActors, noRatings);
    await expect(openHetrec(noActors)).rejects.toThrow(MissingFileError);
    await expect(openHetrec(noActors)).rejects.toThrow(`missing file ${join(noActors, 'movie_actors.dat')}`);
    await expect(openHetrec(noRatings)).rejects.toThrow(/user_ratedmovies-timestamps\.dat \(or user_ratedmovies\.dat\)/);
    const partial = await openHetrec(noActors, { kinds: ['director', 'genre'] });
    expect(partial.kinds).toEqual(['director', 'genre']);
  });

  it('reports a malformed rating with file, line and field, and skips it on request', async () => {
    const file = join(FIXTURES, 'hetrec-bad', 'user_ratedmovies-timestamps.dat');
    await expect(async () => {
      for await (const _ of readHetrecRatings(file)) void _;
    }).rejects.toThrow(`${file}:3: field "rating": not a number: "four"`);
    const skipped: DataFormatError[] = [];
    const source = await openHetrec(join(FIXTURES, 'hetrec-bad'), { kinds: [] });
    const data = await collectDataset(source, { onInvalid: 'skip', onSkip: (e) => skipped.push(e) });
    expect(data.interactions).toHaveLength(1);
    expect(skipped).toHaveLength(1);
  });

  const SHARED = '/work/shared/data/hetrec2011-movielens-2k';
  (existsSync(SHARED) ? it : it.skip)('names the ratings file the shared copy lacks', async () => {
    await expect(openHetrec(SHARED)).rejects.toThrow(/user_ratedmovies-timestamps\.dat/);
  });
});
