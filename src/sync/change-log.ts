/**
 * The change log: every write that changes what a replica serves (a user's history, an item's
 * existence or hidden flag) appends one entry in its own transaction (cypher/sync/append-change).
 * Replicas poll it and drop or refresh what they cached; the graph stays the only source of truth.
 */
export type ChangeKind = 'user' | 'item';

export interface Change {
  /** Commit order, gapless while retained. */
  readonly seq: number;
  readonly kind: ChangeKind;
  /** The user or item id. */
  readonly key: string;
  /** Commit time, ms since the epoch (the database's clock). */
  readonly at: number;
}

/** Entries kept in the graph; a replica that falls further behind reloads everything. */
export const CHANGES_RETAINED = 100_000;

/** The step to append as the last statement of a write transaction (GraphClient.writeAll). */
export function changeStep(kind: ChangeKind, key: string): { name: string; params: Readonly<Record<string, unknown>> } {
  return { name: 'sync/append-change', params: { kind, key, retain: CHANGES_RETAINED } };
}

/** The sequence number the append step returned (its records are the last of writeAll's results). */
export function seqOf(results: ReadonlyArray<ReadonlyArray<{ seq?: unknown }>>): number {
  const seq = results[results.length - 1]?.[0]?.seq;
  if (typeof seq !== 'number') throw new Error('the change-log step returned no sequence number');
  return seq;
}

/** One poll: the changes after the replica's position, and what it must compare with its own state. */
export interface FeedBatch {
  readonly changes: readonly Change[];
  /** The model version published for every replica (null: none published, serve the newest on disk). */
  readonly modelVersion: string | null;
  readonly users: number;
  readonly purchases: number;
}

/**
 * What a replica does with a poll: `reset` when it cannot apply the changes one by one (the log was
 * replaced by a new import, or entries it had not read were pruned): it must drop everything.
 */
export type FeedEvent = { readonly type: 'changes'; readonly batch: FeedBatch } | { readonly type: 'reset'; readonly batch: FeedBatch };

export interface FeedState {
  readonly after: number;
  readonly importedAt: string | null;
}

/**
 * Decides how a polled page applies to a replica at `state`: in order, or as a reset. Pure, so
 * the gap and reset rules are unit-tested without a database.
 */
export function planPoll(
  state: FeedState,
  page: { head: number; importedAt: string | null; changes: readonly Change[] },
): { event: 'changes' | 'reset'; next: FeedState } {
  const imported = page.importedAt !== state.importedAt;
  const rewound = page.head < state.after;
  const first = page.changes[0];
  const gap = first !== undefined && first.seq > state.after + 1;
  if (imported || rewound || gap) {
    // Start again from the head: everything before it is reloaded from the graph anyway.
    return { event: 'reset', next: { after: page.head, importedAt: page.importedAt } };
  }
  const last = page.changes[page.changes.length - 1];
  return { event: 'changes', next: { after: last?.seq ?? state.after, importedAt: page.importedAt } };
}
