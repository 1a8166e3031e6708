import { PurchaseHistory } from './purchase-history';

describe('PurchaseHistory', () => {
  it('bumps the version on every change to R_u, and only then', () => {
    const h = new PurchaseHistory();
    h.load('u', ['a', 'b'], ['x']);
    const v0 = h.history('u')!.version;
    expect(h.addPurchase('u', 'c')).toBe(true);
    const v1 = h.history('u')!;
    expect(v1.purchased).toEqual(['a', 'b', 'c']);
    expect(v1.version).toBeGreaterThan(v0);
    expect(h.addPurchase('u', 'c')).toBe(false);
    expect(h.history('u')!.version).toBe(v1.version);
  });

  it('keeps a history handed out earlier unchanged', () => {
    const h = new PurchaseHistory();
    h.load('u', ['a'], []);
    const before = h.history('u')!;
    h.addPurchase('u', 'b');
    expect(before.purchased).toEqual(['a']);
  });

  it('tracks owned items apart from positives, and creates users on first write', () => {
    const h = new PurchaseHistory();
    h.addOwned('new', 'r');
    expect(h.has('new')).toBe(true);
    expect(h.history('new')!.purchased).toEqual([]);
    expect([...h.owned('new')]).toEqual(['r']);
    expect(h.hasPurchased('new', 'r')).toBe(false);
  });

  it('counts purchases over all users', () => {
    const h = new PurchaseHistory();
    h.load('u', ['a', 'b'], ['x']);
    h.load('v', ['a'], []);
    h.addPurchase('v', 'c');
    h.addPurchase('v', 'c');
    h.addOwned('v', 'd');
    expect(h.purchases).toBe(4);
    h.load('u', ['a'], []);
    expect(h.purchases).toBe(3);
  });
});
