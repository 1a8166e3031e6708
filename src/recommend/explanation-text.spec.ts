import { explanationText, purchaseVerb } from './explanation-text';
import type { PathNode } from './explanation.repository';

const item = (id: string, name: string): PathNode => ({ type: 'ITEM', id, name, kind: null });
const user: PathNode = { type: 'USER', id: 'u', name: 'u', kind: null };

describe('explanationText', () => {
  it('names the shared value and the purchase, as in the paper', () => {
    expect(
      explanationText({
        mode: 'SHARED_VALUE',
        kind: 'actor',
        sharedValues: [{ kind: 'actor', id: 'johnny-depp', name: 'Johnny Depp' }],
        neighbour: 'Edward Scissorhands',
        nodes: [],
        verb: 'watched',
      }),
    ).toBe('Recommended because it shares the actor Johnny Depp with Edward Scissorhands, which you watched');
  });

  it('lists several values with a plural noun', () => {
    const text = explanationText({
      mode: 'SHARED_VALUE',
      kind: 'genre',
      sharedValues: ['Drama', 'Crime', 'War', 'Western'].map((name) => ({ kind: 'genre', id: name, name })),
      neighbour: 'Heat',
      nodes: [],
      verb: 'bought',
    });
    expect(text).toBe('Recommended because it shares the genres Drama, Crime and War and 1 more with Heat, which you bought');
  });

  it('describes a network path through its intermediate items', () => {
    const text = explanationText({
      mode: 'NETWORK_PATH',
      kind: 'director',
      sharedValues: [],
      neighbour: 'Alien',
      nodes: [user, item('1', 'Alien'), item('2', 'Blade Runner'), item('3', 'Gladiator')],
      verb: 'watched',
    });
    expect(text).toBe('Recommended because it is connected to Alien, which you watched, in the director network via Blade Runner');
  });

  it('says when the link is of another kind than the top-attention one', () => {
    const text = explanationText({
      mode: 'OTHER_VALUE',
      kind: 'actor',
      sharedValues: [{ kind: 'genre', id: 'drama', name: 'Drama' }],
      neighbour: 'Heat',
      nodes: [],
      verb: 'watched',
    });
    expect(text).toMatch(/^Recommended because it shares the genre Drama with Heat, which you watched \(its actor matters most/);
  });

  it('names every shared value it was given, kind by kind', () => {
    const text = explanationText({
      mode: 'OTHER_VALUE',
      kind: 'director',
      sharedValues: [
        { kind: 'actor', id: 'a1', name: 'Al Pacino' },
        { kind: 'genre', id: 'g1', name: 'Crime' },
        { kind: 'actor', id: 'a2', name: 'Robert De Niro' },
      ],
      neighbour: 'Heat',
      nodes: [],
      verb: 'watched',
    });
    expect(text).toMatch(
      /^Recommended because it shares the actors Al Pacino and Robert De Niro and the genre Crime with Heat, which you watched \(its director/,
    );
  });

  it('reads purchases as watched for films only', () => {
    expect(purchaseVerb(['actor', 'director', 'genre'])).toBe('watched');
    expect(purchaseVerb(['author', 'shelf'])).toBe('bought');
  });
});
