import type { UserHistory } from '../served-model/recommender-engine';

/**
 * R_u for every user, in memory: eq. 13 reads the history at request time, so it must be cheap to
 * read and current. Loaded from Neo4j at start-up, then updated by this server's own writes right
 * after they commit. (Writes by other processes are seen after a restart: one API process owns the
 * live write path.)
 */
interface Entry {
  purchased: string[];
  purchasedSet: Set<string>;
  /** Every item the user has: purchases, held-out positives, non-positive ratings. */
  owned: Set<string>;
  version: number;
}

export class PurchaseHistory {
  private readonly users = new Map<string, Entry>();
  /** Item -> users who purchased it: co-purchase counts decide adjacency in the networks. */
  private readonly buyers = new Map<string, Set<string>>();
  private clock = 0;
  private positives = 0;

  get size(): number {
    return this.users.size;
  }

  /** R_u entries summed over users. */
  get purchases(): number {
    return this.positives;
  }

  has(userId: string): boolean {
    return this.users.has(userId);
  }

  load(userId: string, purchased: readonly string[], other: readonly string[]): void {
    this.positives += purchased.length - (this.users.get(userId)?.purchased.length ?? 0);
    this.users.set(userId, {
      purchased: [...purchased],
      purchasedSet: new Set(purchased),
      owned: new Set([...purchased, ...other]),
      version: ++this.clock,
    });
    for (const itemId of purchased) this.addBuyer(itemId, userId);
  }

  /** Whether at least `atLeast` users purchased both items (the co-purchase condition of G_k). */
  coPurchased(a: string, b: string, atLeast: number): boolean {
    const ba = this.buyers.get(a);
    const bb = this.buyers.get(b);
    if (ba === undefined || bb === undefined) return false;
    const [small, large] = ba.size <= bb.size ? [ba, bb] : [bb, ba];
    let count = 0;
    for (const user of small) if (large.has(user) && ++count >= atLeast) return true;
    return false;
  }

  history(userId: string): UserHistory | null {
    const entry = this.users.get(userId);
    return entry === undefined ? null : { userId, purchased: entry.purchased, version: entry.version };
  }

  owned(userId: string): ReadonlySet<string> {
    return this.users.get(userId)?.owned ?? new Set();
  }

  hasPurchased(userId: string, itemId: string): boolean {
    return this.users.get(userId)?.purchasedSet.has(itemId) ?? false;
  }

  /** Records a positive; returns false when it was already in R_u. */
  addPurchase(userId: string, itemId: string): boolean {
    const entry = this.entry(userId);
    entry.owned.add(itemId);
    if (entry.purchasedSet.has(itemId)) return false;
    // A new array (not push): a history handed out earlier keeps describing its own version.
    entry.purchased = [...entry.purchased, itemId];
    entry.purchasedSet.add(itemId);
    entry.version = ++this.clock;
    this.positives++;
    this.addBuyer(itemId, userId);
    return true;
  }

  addOwned(userId: string, itemId: string): void {
    const entry = this.entry(userId);
    if (!entry.owned.has(itemId)) {
      entry.owned.add(itemId);
      entry.version = ++this.clock;
    }
  }

  *histories(): IterableIterator<UserHistory> {
    for (const [userId, e] of this.users) yield { userId, purchased: e.purchased, version: e.version };
  }

  userIds(): string[] {
    return [...this.users.keys()];
  }

  private addBuyer(itemId: string, userId: string): void {
    const set = this.buyers.get(itemId);
    if (set === undefined) this.buyers.set(itemId, new Set([userId]));
    else set.add(userId);
  }

  private entry(userId: string): Entry {
    let entry = this.users.get(userId);
    if (entry === undefined) {
      entry = { purchased: [], purchasedSet: new Set(), owned: new Set(), version: ++this.clock };
      this.users.set(userId, entry);
    }
    return entry;
  }
}
