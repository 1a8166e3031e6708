import { explorerLines, firstItemId } from './demo-messages';

describe('demo messages', () => {
  it('sends the newcomer to the explorer: the user, one reason, the model page', () => {
    const lines = explorerLines('http://127.0.0.1:3000', '1', '54', { writer: 'w', admin: 'a' });
    expect(lines).toContain('eRAN-graph is serving. Open the explorer in a browser: http://127.0.0.1:3000/');
    expect(lines.join('\n')).toContain('http://127.0.0.1:3000/?user=1&item=54');
    expect(lines.join('\n')).toContain('http://127.0.0.1:3000/?view=model');
    expect(explorerLines('http://h', 'a b', null, null).join('\n')).toMatch(/\?user=a%20b\n[^]*WRITER_API_KEYS/);
  });

  it('reads the first item of an answer, or nothing', () => {
    expect(firstItemId({ data: { recommend: [{ item: { id: '54' } }, { item: { id: '9' } }] } })).toBe('54');
    expect(firstItemId({ errors: [{ message: 'x' }] })).toBeNull();
    expect(firstItemId(null)).toBeNull();
  });
});
