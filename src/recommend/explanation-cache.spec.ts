import { ExplanationCache } from './explanation-cache';

describe('ExplanationCache', () => {
  it('returns a value until its TTL passes', () => {
    let now = 0;
    const cache = new ExplanationCache<string>(
      1000,
      10,
      () => now,
      () => 0.5,
    );
    cache.set('a', 'x');
    now = 999;
    expect(cache.get('a')).toBe('x');
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('spreads expiry over 75-125% of the TTL', () => {
    let now = 0;
    let r = 0;
    const cache = new ExplanationCache<string>(
      1000,
      10,
      () => now,
      () => r,
    );
    cache.set('early', 'x');
    r = 0.999;
    cache.set('late', 'y');
    now = 760;
    expect(cache.get('early')).toBeUndefined();
    expect(cache.get('late')).toBe('y');
    now = 1240;
    expect(cache.get('late')).toBe('y');
    now = 1250;
    expect(cache.get('late')).toBeUndefined();
  });

  it('drops the least recently written entries beyond its size', () => {
    const cache = new ExplanationCache<number>(1000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(3);
    expect(cache.get('c')).toBe(4);
  });

  it('stores nothing with a TTL of 0', () => {
    const cache = new ExplanationCache<number>(0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.enabled).toBe(false);
  });
});
