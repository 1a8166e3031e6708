import { UserCache, type StoredUser } from './user-cache';

/** The replica's bounded, invalidatable view of users: what it serves must never be older than a change it applied. */
describe('UserCache', () => {
  function store(initial: Record<string, StoredUser>) {
    const users = new Map(Object.entries(initial));
    const reads: string[] = [];
    let gate: Promise<void> | null = null;
    const load = async (userId: string): Promise<StoredUser | null> => {
      reads.push(userId);
      // The state is read when the query runs; a gate holds the answer back like a slow network.
      const snapshot = users.get(userId) ?? null;
      if (gate !== null) await gate;
      return snapshot;
    };
    return {
      users,
      reads,
      load,
      hold(): () => void {
        let open!: () => void;
        gate = new Promise((resolve) => (open = resolve));
        return () => {
          gate = null;
          open();
        };
      },
    };
  }

  it('reads a user once, shares concurrent reads, and answers null for an unknown one', async () => {
    const s = store({ u1: { purchased: ['a', 'b'], other: ['c'], rev: 4 } });
    const cache = new UserCache(s.load, 2 ** 20);
    const [x, y] = await Promise.all([cache.get('u1'), cache.get('u1')]);
    expect(x).toBe(y);
    expect(x!.history).toEqual({ userId: 'u1', purchased: ['a', 'b'], version: 4 });
    expect([...x!.owned].sort()).toEqual(['a', 'b', 'c']);
    expect(await cache.get('nobody')).toBeNull();
    await cache.get('u1');
    expect(s.reads).toEqual(['u1', 'nobody']);
  });

  it('drops a user on invalidation, unless the cached history is already at that change', async () => {
    const s = store({ u1: { purchased: ['a'], other: [], rev: 4 } });
    const cache = new UserCache(s.load, 2 ** 20);
    await cache.get('u1');
    cache.invalidate('u1', 4);
    await cache.get('u1');
    expect(s.reads).toHaveLength(1);
    s.users.set('u1', { purchased: ['a', 'b'], other: [], rev: 5 });
    cache.invalidate('u1', 5);
    expect((await cache.get('u1'))!.history.purchased).toEqual(['a', 'b']);
    expect(s.reads).toHaveLength(2);
  });

  it('never keeps a read that was in flight when the user changed: it reads again', async () => {
    const s = store({ u1: { purchased: ['a'], other: [], rev: 1 } });
    const cache = new UserCache(s.load, 2 ** 20);
    const open = s.hold();
    const pending = cache.get('u1');
    await new Promise((resolve) => setImmediate(resolve));
    // A purchase commits after the read ran and before it answered; its change is applied.
    s.users.set('u1', { purchased: ['a', 'b'], other: [], rev: 2 });
    cache.invalidate('u1', 2);
    open();
    expect((await pending)!.history).toMatchObject({ purchased: ['a', 'b'], version: 2 });
    expect((await cache.get('u1'))!.history.version).toBe(2);
  });

  it('passes the loader’s own failure through', async () => {
    const failure = new Error('graph down');
    const cache = new UserCache(() => Promise.reject(failure), 2 ** 20);
    await expect(cache.get('u1')).rejects.toBe(failure);
  });

  it('stays within its byte budget, dropping the least recently used users', async () => {
    const many: Record<string, StoredUser> = {};
    for (let u = 0; u < 200; u++) many[`u${u}`] = { purchased: Array.from({ length: 50 }, (_, i) => `item-${u}-${i}`), other: [], rev: 1 };
    const s = store(many);
    const budget = 64 * 1024;
    const cache = new UserCache(s.load, budget);
    for (let u = 0; u < 200; u++) await cache.get(`u${u}`);
    expect(cache.bytes).toBeLessThanOrEqual(budget);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(200);
    const reads = s.reads.length;
    await cache.get('u199');
    expect(s.reads.length).toBe(reads);
    await cache.get('u0');
    expect(s.reads.length).toBe(reads + 1);
  });
});
