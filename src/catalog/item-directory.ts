/**
 * The catalogue in memory: titles, years, hidden flags and attribute uids of every item, plus the
 * attribute values' names. Filters, exclusions and titles are needed on every recommendation;
 * keeping them here (loaded once from Neo4j, then updated from the change log: writes through any
 * replica) spares a lookup per request. It grows with the catalogue, not with users: about 87 MiB
 * of heap at 100k items (npm run bench:replica-memory).
 */
export interface DirectoryItem {
  readonly id: string;
  readonly title: string;
  readonly year: number | null;
  readonly hidden: boolean;
  readonly coldStart: boolean;
  /** Attribute uids, e.g. `genre:comedy`. */
  readonly attrs: ReadonlySet<string>;
}

export interface AttributeValue {
  readonly uid: string;
  readonly kind: string;
  readonly id: string;
  readonly name: string;
}

export class ItemDirectory {
  private readonly items = new Map<string, DirectoryItem>();
  private readonly values = new Map<string, AttributeValue>();
  /** uid -> how many items hold the value (its HAS_<KIND> in-degree in the graph). */
  private readonly holderCounts = new Map<string, number>();
  /** kind -> lower-cased value id or name -> uids (a name may be shared by several values). */
  private readonly lookup = new Map<string, Map<string, Set<string>>>();

  get size(): number {
    return this.items.size;
  }

  get(id: string): DirectoryItem | undefined {
    return this.items.get(id);
  }

  all(): IterableIterator<DirectoryItem> {
    return this.items.values();
  }

  putItem(item: DirectoryItem): void {
    const before = this.items.get(item.id);
    for (const uid of before?.attrs ?? []) this.holderCounts.set(uid, (this.holderCounts.get(uid) ?? 1) - 1);
    for (const uid of item.attrs) this.holderCounts.set(uid, (this.holderCounts.get(uid) ?? 0) + 1);
    this.items.set(item.id, item);
  }

  setHidden(id: string, hidden: boolean): void {
    const item = this.items.get(id);
    if (item !== undefined) this.items.set(id, { ...item, hidden });
  }

  putValue(value: AttributeValue): void {
    this.values.set(value.uid, value);
    let byKey = this.lookup.get(value.kind);
    if (byKey === undefined) {
      byKey = new Map();
      this.lookup.set(value.kind, byKey);
    }
    for (const key of [value.id.toLowerCase(), value.name.toLowerCase()]) {
      const uids = byKey.get(key) ?? new Set<string>();
      uids.add(value.uid);
      byKey.set(key, uids);
    }
  }

  value(uid: string): AttributeValue | undefined {
    return this.values.get(uid);
  }

  /** How many items hold the value, hidden ones included (explanations name the rarest shared value). */
  holders(uid: string): number {
    return this.holderCounts.get(uid) ?? 0;
  }

  /** The uids of `kind` whose id or name matches one of `terms` (case-insensitive). */
  resolveValues(kind: string, terms: readonly string[]): Set<string> {
    const byKey = this.lookup.get(kind);
    const out = new Set<string>();
    for (const term of terms) for (const uid of byKey?.get(term.trim().toLowerCase()) ?? []) out.add(uid);
    return out;
  }
}
