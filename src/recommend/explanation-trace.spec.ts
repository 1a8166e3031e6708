import { ItemDirectory } from '../catalog/item-directory';
import { adjacentFirst, completeExplanation, traceExplanation, type TraceCatalogue } from './explanation-trace';

const HAS = (kind: string): string => `HAS_${kind.toUpperCase()}`;

/** A catalogue: i = the recommended item; a, b, c = purchases. */
function directory(items: Record<string, string[]>, extraHolders: Record<string, number> = {}): TraceCatalogue {
  const d = new ItemDirectory();
  const uids = new Set(Object.values(items).flat());
  for (const uid of uids) {
    const [kind, id] = uid.split(':') as [string, string];
    d.putValue({ uid, kind, id, name: `${kind} ${id.toUpperCase()}` });
  }
  for (const [id, attrs] of Object.entries(items)) d.putItem({ id, title: `Title ${id}`, year: null, hidden: false, coldStart: false, attrs: new Set(attrs) });
  // Items that only raise how many hold a value.
  let n = 0;
  for (const [uid, count] of Object.entries(extraHolders))
    for (let k = 0; k < count; k++) d.putItem({ id: `x${n++}`, title: 'x', year: null, hidden: false, coldStart: false, attrs: new Set([uid]) });
  return { item: (id) => d.get(id), value: (uid) => d.value(uid), holders: (uid) => d.holders(uid) };
}

describe('traceExplanation', () => {
  it('anchors on the first candidate sharing a value of k*, through its rarest shared value', () => {
    const catalogue = directory(
      { i: ['actor:p', 'actor:q', 'genre:drama'], a: ['genre:drama'], b: ['actor:q', 'actor:p', 'genre:drama'], c: ['actor:p'] },
      { 'actor:q': 5, 'actor:p': 1 },
    );
    const t = traceExplanation({ userId: 'u', itemId: 'i', kind: 'actor', candidates: ['a', 'b', 'c'] }, catalogue, HAS);
    expect(t.mode).toBe('SHARED_VALUE');
    expect(t.anchor).toBe('b');
    expect(t.pathFrom).toBeNull();
    // actor:p is held by 3 items (i, b, c + 1 extra = 4), actor:q by 2 + 5: p is rarer.
    expect(t.sharedValues).toEqual([
      { kind: 'actor', id: 'p', name: 'actor P' },
      { kind: 'actor', id: 'q', name: 'actor Q' },
    ]);
    expect(t.nodes).toEqual([
      { type: 'USER', id: 'u', name: 'u', kind: null },
      { type: 'ITEM', id: 'b', name: 'Title b', kind: null },
      { type: 'ATTRIBUTE', id: 'actor:p', name: 'actor P', kind: 'actor' },
      { type: 'ITEM', id: 'i', name: 'Title i', kind: null },
    ]);
    expect(t.relationships).toEqual([
      { type: 'PURCHASED', from: 'u', to: 'b' },
      { type: 'HAS_ACTOR', from: 'b', to: 'actor:p' },
      { type: 'HAS_ACTOR', from: 'i', to: 'actor:p' },
    ]);
  });

  it('orders equally rare values by uid', () => {
    const catalogue = directory({ i: ['genre:b', 'genre:a'], a: ['genre:b', 'genre:a'] });
    const t = traceExplanation({ userId: 'u', itemId: 'i', kind: 'genre', candidates: ['a'] }, catalogue, HAS);
    expect(t.sharedValues.map((v) => v.id)).toEqual(['a', 'b']);
  });

  it('asks for a G_k* path from the best candidate when none shares a value of k*, with another kind as the fallback', () => {
    const catalogue = directory({ i: ['actor:p', 'genre:drama'], a: ['actor:z'], b: ['genre:drama', 'actor:y'] });
    const t = traceExplanation({ userId: 'u', itemId: 'i', kind: 'actor', candidates: ['a', 'b'] }, catalogue, HAS);
    expect(t.mode).toBe('OTHER_VALUE');
    expect(t.pathFrom).toBe('a');
    expect(t.anchor).toBe('b');
    expect(t.sharedValues).toEqual([{ kind: 'genre', id: 'drama', name: 'genre DRAMA' }]);
    expect(t.relationships.map((r) => r.type)).toEqual(['PURCHASED', 'HAS_GENRE', 'HAS_GENRE']);

    const path = {
      nodes: [
        { type: 'ITEM' as const, id: 'a', name: 'Title a', kind: null },
        { type: 'ITEM' as const, id: 'i', name: 'Title i', kind: null },
      ],
      relationships: [{ type: 'ACTOR', from: 'a', to: 'i' }],
    };
    expect(completeExplanation(t, path, true)).toEqual({
      userId: 'u',
      itemId: 'i',
      mode: 'NETWORK_PATH',
      sharedValues: [],
      nodes: [{ type: 'USER', id: 'u', name: 'u', kind: null }, ...path.nodes],
      relationships: [{ type: 'PURCHASED', from: 'u', to: 'a' }, ...path.relationships],
      adjacent: false,
    });
    expect(completeExplanation(t, undefined, true)).toMatchObject({ mode: 'OTHER_VALUE', adjacent: false, nodes: t.nodes });
  });

  it('falls back to the bare purchase of the best candidate, and to nothing without purchases', () => {
    const catalogue = directory({ i: ['actor:p'], a: ['actor:z'], b: ['genre:x'] });
    const t = traceExplanation({ userId: 'u', itemId: 'i', kind: 'actor', candidates: ['a', 'b'] }, catalogue, HAS);
    expect(t).toMatchObject({ mode: 'NONE', anchor: 'a', pathFrom: 'a', sharedValues: [] });
    expect(t.nodes.map((n) => n.id)).toEqual(['u', 'a']);
    expect(t.relationships).toEqual([{ type: 'PURCHASED', from: 'u', to: 'a' }]);
    const empty = traceExplanation({ userId: 'u', itemId: 'i', kind: 'actor', candidates: [] }, catalogue, HAS);
    expect(empty).toMatchObject({ mode: 'NONE', anchor: null, pathFrom: null, nodes: [], relationships: [] });
  });

  it('says adjacent only for a SHARED_VALUE anchor the graph found adjacent', () => {
    const catalogue = directory({ i: ['actor:p'], a: ['actor:p'] });
    const t = traceExplanation({ userId: 'u', itemId: 'i', kind: 'actor', candidates: ['a'] }, catalogue, HAS);
    expect(completeExplanation(t, undefined, true)).toMatchObject({ mode: 'SHARED_VALUE', adjacent: true });
    expect(completeExplanation(t, undefined, false)).toMatchObject({ mode: 'SHARED_VALUE', adjacent: false });
  });

  it('keeps value counts when an item is replaced', () => {
    const d = new ItemDirectory();
    const item = (attrs: string[]) => ({ id: 'i', title: 'i', year: null, hidden: false, coldStart: false, attrs: new Set(attrs) });
    d.putItem(item(['actor:p', 'genre:g']));
    d.putItem({ ...item(['actor:p']), id: 'j' });
    expect(d.holders('actor:p')).toBe(2);
    d.putItem(item(['genre:g']));
    expect([d.holders('actor:p'), d.holders('genre:g'), d.holders('genre:none')]).toEqual([1, 1, 0]);
  });
});

describe('adjacentFirst', () => {
  it('moves adjacent candidates to the front, each part in its order', () => {
    expect(adjacentFirst(['a', 'b', 'c', 'd'], (c) => c === 'c' || c === 'b')).toEqual(['b', 'c', 'a', 'd']);
  });
});
