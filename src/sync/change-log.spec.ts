import { planPoll, type Change } from './change-log';

const change = (seq: number): Change => ({ seq, kind: 'user', key: `u${seq}`, at: 0 });

describe('planPoll', () => {
  const state = { after: 10, importedAt: 'T1' };

  it('applies changes in order and moves to the last one read', () => {
    expect(planPoll(state, { head: 12, importedAt: 'T1', changes: [change(11), change(12)] })).toEqual({
      event: 'changes',
      next: { after: 12, importedAt: 'T1' },
    });
    expect(planPoll(state, { head: 10, importedAt: 'T1', changes: [] })).toEqual({ event: 'changes', next: state });
  });

  it('resets when entries it never read were pruned, the log went back (a new import), or the import changed', () => {
    expect(planPoll(state, { head: 20, importedAt: 'T1', changes: [change(15)] })).toEqual({ event: 'reset', next: { after: 20, importedAt: 'T1' } });
    expect(planPoll(state, { head: 3, importedAt: 'T1', changes: [] }).event).toBe('reset');
    expect(planPoll(state, { head: 0, importedAt: 'T2', changes: [] })).toEqual({ event: 'reset', next: { after: 0, importedAt: 'T2' } });
  });
});
