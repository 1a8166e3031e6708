/**
 * Seeded sampler of ranking triplets (u, i, j, n): i, j in R_u with i != j, n not in R_u.
 * One epoch visits every training positive (u, i) once as the anchor i, in a shuffled order, with
 * j drawn uniformly from R_u \ {i} and n uniformly from the items outside R_u (BPR's convention:
 * an epoch is one pass over the positives, not over the O(|R_u|^2) pairs).
 */
import type { TripletBatch, UserBatch } from './eran-model';
import { Rng } from './rng';
import { containsSorted } from '../common/sorted-search';

export class TripletSampler {
  /** Anchor pairs (user, position in R_u), reshuffled each epoch. */
  private readonly anchorUser: Int32Array;
  private readonly anchorPos: Int32Array;

  constructor(
    private readonly userItems: readonly Int32Array[],
    private readonly numItems: number,
    private readonly rng: Rng,
  ) {
    let count = 0;
    userItems.forEach((items, u) => {
      checkSortedItems(items, u, numItems);
      if (usable(items, numItems)) count += items.length;
    });
    if (count === 0) {
      throw new Error('TripletSampler: expected at least one user with 2 or more training positives (and not every item), got none');
    }
    this.anchorUser = new Int32Array(count);
    this.anchorPos = new Int32Array(count);
    let e = 0;
    userItems.forEach((items, u) => {
      if (!usable(items, numItems)) return;
      for (let p = 0; p < items.length; p++) {
        this.anchorUser[e] = u;
        this.anchorPos[e] = p;
        e++;
      }
    });
  }

  /** Triplets per epoch. */
  get size(): number {
    return this.anchorUser.length;
  }

  /** Starts a new epoch: a fresh seeded order of the anchors. */
  shuffle(): void {
    for (let i = this.size - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const tu = this.anchorUser[i];
      const tp = this.anchorPos[i];
      this.anchorUser[i] = this.anchorUser[j];
      this.anchorPos[i] = this.anchorPos[j];
      this.anchorUser[j] = tu;
      this.anchorPos[j] = tp;
    }
  }

  /** The triplets of anchors [start, start + count) of the current order (wrapping around). */
  batch(start: number, count: number): TripletBatch {
    const users = new Int32Array(count);
    const anchors = new Int32Array(count);
    const positives = new Int32Array(count);
    const negatives = new Int32Array(count);
    for (let t = 0; t < count; t++) {
      const a = (start + t) % this.size;
      const u = this.anchorUser[a];
      const pos = this.anchorPos[a];
      const items = this.userItems[u];
      let q = this.rng.int(items.length - 1);
      if (q >= pos) q++;
      users[t] = u;
      anchors[t] = items[pos];
      positives[t] = items[q];
      negatives[t] = this.negative(items);
    }
    return { users, anchors, positives, negatives };
  }

  /** A uniform item outside `items` (ascending). */
  negativeFor(items: Int32Array): number {
    return this.negative(items);
  }

  private negative(items: Int32Array): number {
    // Rejection sampling is O(log |R_u|) per try and needs < 2 tries while |R_u| < N/2.
    for (let attempt = 0; attempt < 64; attempt++) {
      const c = this.rng.int(this.numItems);
      if (!contains(items, c)) return c;
    }
    // A user who bought most of the catalogue: draw among the complement directly.
    const free = this.numItems - items.length;
    let target = this.rng.int(free);
    let p = 0;
    for (let c = 0; c < this.numItems; c++) {
      if (p < items.length && items[p] === c) {
        p++;
        continue;
      }
      if (target-- === 0) return c;
    }
    throw new Error('TripletSampler: no negative item available');
  }
}

/**
 * Seeded sampler of user-level batches (rankLoss 'user'): users with 2+ positives (and not every
 * item) in a shuffled order; each visit takes the user's full R_u and min(|R_u|, pairsPerUser)
 * distinct positives i, each with a negative n drawn uniformly outside R_u. An epoch visits every
 * usable user once; `next` wraps around with a fresh order.
 */
export class UserSampler {
  private readonly order: Int32Array;
  private cursor = 0;
  private readonly triplets: TripletSampler;

  constructor(
    private readonly userItems: readonly Int32Array[],
    numItems: number,
    private readonly pairsPerUser: number,
    private readonly rng: Rng,
    /** At most this many purchases per visit (a uniform subset of R_u); 0 = all. */
    private readonly maxKeys = 0,
  ) {
    this.triplets = new TripletSampler(userItems, numItems, rng);
    const users: number[] = [];
    userItems.forEach((items, u) => {
      if (usable(items, numItems)) users.push(u);
    });
    this.order = Int32Array.from(users);
  }

  /** (i, n) pairs per epoch. */
  get size(): number {
    let total = 0;
    for (const u of this.order) total += Math.min(this.userItems[u].length, this.pairsPerUser);
    return total;
  }

  shuffle(): void {
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const t = this.order[i];
      this.order[i] = this.order[j];
      this.order[j] = t;
    }
    this.cursor = 0;
  }

  /** The next users of the current order until at least `pairs` pairs are collected (one user at least). */
  next(pairs: number): UserBatch {
    const users: number[] = [];
    const offsets: number[] = [0];
    const history: number[] = [];
    const pairGroup: number[] = [];
    const positiveRows: number[] = [];
    const negatives: number[] = [];
    while (pairGroup.length < pairs) {
      if (this.cursor >= this.order.length) {
        if (users.length > 0) break;
        this.shuffle();
      }
      const u = this.order[this.cursor++];
      const all = this.userItems[u];
      const items = this.maxKeys > 0 && all.length > this.maxKeys ? this.rng.sampleDistinct(all.length, this.maxKeys).map((q) => all[q]) : all;
      const g = users.length;
      const base = history.length;
      users.push(u);
      for (const item of items) history.push(item);
      offsets.push(history.length);
      const chosen = this.rng.sampleDistinct(items.length, Math.min(items.length, this.pairsPerUser));
      for (const q of chosen) {
        pairGroup.push(g);
        positiveRows.push(base + q);
        negatives.push(this.triplets.negativeFor(all));
      }
    }
    return {
      users: Int32Array.from(users),
      offsets: Int32Array.from(offsets),
      historyItems: Int32Array.from(history),
      pairGroup: Int32Array.from(pairGroup),
      positiveRows: Int32Array.from(positiveRows),
      negatives: Int32Array.from(negatives),
    };
  }
}

/** Binary search in an ascending array (kept under this name for the model's callers). */
export const contains = containsSorted;

function usable(items: Int32Array, numItems: number): boolean {
  return items.length >= 2 && items.length < numItems;
}

function checkSortedItems(items: Int32Array, user: number, numItems: number): void {
  for (let p = 0; p < items.length; p++) {
    const v = items[p];
    if (!(v >= 0 && v < numItems) || (p > 0 && v <= items[p - 1])) {
      throw new Error(`userItems[${user}]: expected strictly ascending item indexes in [0, ${numItems}), got ${v} at position ${p}`);
    }
  }
}
