import { LRUCache } from 'lru-cache';
import type { UserHistory } from '../served-model/recommender-engine';

/** A user as the graph holds them, read by `UserCache`'s loader. */
export interface StoredUser {
  /** R_u (PURCHASED), oldest first. */
  readonly purchased: readonly string[];
  /** Other items the user has (held-out positives, non-positive ratings). */
  readonly other: readonly string[];
  /** Sequence number of the last change-log entry about the user (0: none since the import). */
  readonly rev: number;
}

export interface UserState {
  /** `version` is the user's `rev` in the graph: the same on every replica for the same history. */
  readonly history: UserHistory;
  /** Every item the user has: never recommended to them. */
  readonly owned: ReadonlySet<string>;
}

const MISSING = { missing: true } as const;
type Slot = UserState | typeof MISSING;

/** Attempts of a read that a concurrent invalidation keeps discarding (a user written non-stop). */
const ATTEMPTS = 5;

/**
 * The users this replica serves now, loaded from the graph on first use and kept in an LRU cache
 * bounded in bytes (lru-cache), so memory follows the active users, not the user base. Concurrent
 * requests for one user share one read (lru-cache's fetch). An invalidation (a change-log entry,
 * or this replica's own write) drops the entry; a read in flight at that moment is discarded and
 * made again, so a history read before a write commits is never cached after it.
 */
export class UserCache {
  private readonly cache: LRUCache<string, Slot>;

  constructor(
    private readonly load: (userId: string) => Promise<StoredUser | null>,
    maxBytes: number,
  ) {
    this.cache = new LRUCache<string, Slot>({
      maxSize: maxBytes,
      sizeCalculation: sizeOf,
      fetchMethod: async (userId) => {
        let stored: StoredUser | null;
        try {
          stored = await this.load(userId);
        } catch (error) {
          throw new LoadFailure(error);
        }
        if (stored === null) return MISSING;
        return {
          history: { userId, purchased: stored.purchased, version: stored.rev },
          owned: new Set([...stored.purchased, ...stored.other]),
        };
      },
    });
  }

  /** Users cached now. */
  get size(): number {
    return this.cache.size;
  }

  /** Bytes the cache accounts for (an estimate of the heap its entries hold). */
  get bytes(): number {
    return this.cache.calculatedSize;
  }

  /** The user as of the graph (or as of the last change this replica applied); null: no such user. */
  async get(userId: string): Promise<UserState | null> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      let slot: Slot | undefined;
      try {
        slot = await this.cache.fetch(userId);
      } catch (error) {
        if (error instanceof LoadFailure) throw error.cause;
        // Anything else is lru-cache aborting the read because an invalidation deleted it: read again.
        continue;
      }
      if (slot !== undefined) return slot === MISSING ? null : (slot as UserState);
    }
    throw new Error(`user ${userId}: the history changed during ${ATTEMPTS} reads in a row`);
  }

  /**
   * Drops the user unless the cached history is already at least at `seq` (a change this replica
   * made and has re-read since). Aborts a read in flight.
   */
  invalidate(userId: string, seq = Number.MAX_SAFE_INTEGER): void {
    const cached = this.cache.peek(userId);
    if (cached !== undefined && cached !== MISSING && (cached as UserState).history.version >= seq) return;
    this.cache.delete(userId);
  }

  clear(): void {
    this.cache.clear();
  }
}

/** The loader's own failure (the graph), as opposed to a read aborted by an invalidation. */
class LoadFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('user read failed');
  }
}

/**
 * V8 heap estimate, calibrated with `npm run bench:replica-memory` (accounted vs measured heap): per
 * id a one-byte string (header plus characters, shared by the history and the owned set) and a Set
 * entry, 8 bytes per array slot, and the objects around them.
 */
function sizeOf(slot: Slot): number {
  if (slot === MISSING) return 64;
  const state = slot as UserState;
  let chars = state.history.userId.length;
  for (const id of state.owned) chars += id.length;
  return 320 + chars + state.owned.size * 44 + state.history.purchased.length * 8;
}
