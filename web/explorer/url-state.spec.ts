import { DEFAULT_K, formatLocation, MAX_K, parseLocation } from './url-state';

describe('explorer deep links', () => {
  it('opens a user, one explanation, or the model page', () => {
    expect(parseLocation('')).toEqual({ view: 'recommend', user: null, item: null, k: DEFAULT_K });
    expect(parseLocation('?user=17')).toEqual({ view: 'recommend', user: '17', item: null, k: DEFAULT_K });
    expect(parseLocation('?user=17&item=54&k=8')).toEqual({ view: 'recommend', user: '17', item: '54', k: 8 });
    expect(parseLocation('?view=model').view).toBe('model');
  });

  it('keeps k within 1..MAX_K and ignores blanks', () => {
    expect(parseLocation('?user=1&k=500').k).toBe(MAX_K);
    expect(parseLocation('?user=1&k=0').k).toBe(DEFAULT_K);
    expect(parseLocation('?user=1&k=abc').k).toBe(DEFAULT_K);
    expect(parseLocation('?user=%20&item=').user).toBeNull();
  });

  it('formats what it parses (ids with reserved characters survive)', () => {
    for (const location of [
      { view: 'recommend' as const, user: 'a b&c', item: 'x/y?z', k: 7 },
      { view: 'recommend' as const, user: '1', item: null, k: DEFAULT_K },
    ]) {
      expect(parseLocation(formatLocation(location).slice(1))).toEqual(location);
    }
    expect(formatLocation({ user: '1', item: '54' })).toBe('/?user=1&item=54');
    expect(formatLocation({ view: 'model', user: '1' })).toBe('/?view=model');
    expect(formatLocation({ item: '54' })).toBe('/');
  });
});
