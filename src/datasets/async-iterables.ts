/** Small combinators over the readers' located record streams. */
import type { Located } from './located';

/** One located record per element of each located array (rows that yield several records). */
export async function* flatten<T>(rows: AsyncIterable<Located<readonly T[]>>): AsyncGenerator<Located<T>> {
  for await (const x of rows) for (const record of x.record) yield { record, file: x.file, line: x.line };
}

/** The streams one after another; each is opened only when the previous one is done. */
export async function* concat<T>(parts: ReadonlyArray<() => AsyncIterable<T>>): AsyncGenerator<T> {
  for (const part of parts) yield* part();
}
