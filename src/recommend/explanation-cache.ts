/**
 * Recently computed explanations, so that a user who reloads a page does not cost another graph
 * query. Keys include the model version and the user's history version, so a purchase or a model
 * swap is never answered from the cache. Paths never go stale: nothing the API does deletes a
 * relationship. What may age is the choice among several valid paths (a newer network edge could
 * make another anchor adjacent); the TTL bounds that. A TTL of 0 disables the cache.
 *
 * Each entry lives 75-125% of the TTL: entries written together (a traffic burst, a restart) would
 * otherwise expire together and send a wave of misses to Neo4j at once (measured: p99 1.1 s).
 */
export class ExplanationCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs * (0.75 + 0.5 * this.random()) });
    // Map iteration follows insertion order: the first key is the least recently written.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}
