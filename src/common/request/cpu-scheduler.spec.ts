import { DomainError } from '../errors/domain-error';
import { CpuScheduler } from './cpu-scheduler';
import { startBudget } from './request-budget';

describe('CpuScheduler', () => {
  it('runs units one at a time, first come first served, with a turn of the event loop between them', async () => {
    const scheduler = new CpuScheduler();
    const order: string[] = [];
    // A timer due now stands for I/O waiting behind the work (a health check): it must get in between.
    setTimeout(() => order.push('timer'), 0);
    const context = {};
    const busy = (name: string) => () => {
      const until = Date.now() + 5;
      while (Date.now() < until);
      order.push(name);
      return name;
    };
    const results = await Promise.all([scheduler.run(context, busy('a')), scheduler.run(context, busy('b')), scheduler.run(context, busy('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(order.filter((x) => x !== 'timer')).toEqual(['a', 'b', 'c']);
    expect(order.indexOf('timer')).toBeLessThan(order.indexOf('c'));
  });

  it('opens the gate once the synchronous part returns, not when its promise settles', async () => {
    const scheduler = new CpuScheduler();
    let finishIo!: () => void;
    const io = new Promise<void>((resolve) => (finishIo = resolve));
    const first = scheduler.run({}, () => io.then(() => 'io done'));
    const second = await scheduler.run({}, () => 'second');
    expect(second).toBe('second');
    finishIo();
    expect(await first).toBe('io done');
  });

  it('fails the units of a request whose budget is spent, and keeps serving others', async () => {
    const scheduler = new CpuScheduler();
    const late = {};
    startBudget(late, 10, Date.now() - 1000);
    const work = jest.fn(() => 1);
    await expect(scheduler.run(late, work)).rejects.toMatchObject({ kind: 'REQUEST_BUDGET_EXCEEDED' });
    await expect(scheduler.run(late, work)).rejects.toBeInstanceOf(DomainError);
    expect(work).not.toHaveBeenCalled();
    const fresh = {};
    startBudget(fresh, 10_000);
    expect(await scheduler.run(fresh, work)).toBe(1);
  });

  it('keeps going after a unit throws', async () => {
    const scheduler = new CpuScheduler();
    await expect(
      scheduler.run({}, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await scheduler.run({}, () => 2)).toBe(2);
  });
});
