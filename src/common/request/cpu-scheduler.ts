import { Injectable } from '@nestjs/common';
import { checkBudget } from './request-budget';

/**
 * Serving work is synchronous CPU (scoring every item for a user, every user for an item) on the
 * one event loop. graphql-js starts every root field of a request in the same tick, so a request
 * with many aliases would run all of them back to back, and nothing else (not even GET /health)
 * would be answered meanwhile. Here each unit of work waits for the previous one and then for one
 * turn of the event loop (setImmediate): I/O, other requests and health checks get in between,
 * work is served first come first served across requests, and a unit whose request has used up
 * its wall-clock budget fails at once instead of running. Only the synchronous part is serialised:
 * the gate opens again as soon as `work` returns, even when it returns a promise (graph I/O).
 */
@Injectable()
export class CpuScheduler {
  private tail: Promise<void> = Promise.resolve();

  run<T>(context: object, work: () => T): Promise<Awaited<T>> {
    let release!: () => void;
    const turnDone = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = turnDone;
    return previous
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(async (): Promise<Awaited<T>> => {
        try {
          checkBudget(context);
          const result = work();
          release();
          return await result;
        } finally {
          release();
        }
      });
  }
}
