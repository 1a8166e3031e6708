/** Item attribute values indexed against a catalogue, one CSR (items x values) per kind. */
import type { AttributeRecord } from '../datasets/dataset.types';
import { indexOfIds, sortedIds } from './interaction-table';

export interface KindValues {
  readonly kind: string;
  /** Value index -> value id (slug). */
  readonly valueIds: readonly string[];
  /** Row pointers over item indexes, length numItems + 1. */
  readonly indptr: Int32Array;
  /** Value indexes of each item, sorted within the row. */
  readonly indices: Int32Array;
}

export interface ItemAttributes {
  readonly kinds: readonly string[];
  readonly byKind: readonly KindValues[];
}

/** Records for items outside the catalogue are ignored; repeated (item, kind, value) rows count once. */
export function indexItemAttributes(records: readonly AttributeRecord[], itemIds: readonly string[], kinds?: readonly string[]): ItemAttributes {
  const itemIndex = indexOfIds(itemIds);
  const kindList = kinds ?? sortedIds(records.map((r) => r.kind));
  const byKind = kindList.map((kind): KindValues => {
    const mine = records.filter((r) => r.kind === kind && itemIndex.has(r.item));
    const valueIds = sortedIds(mine.map((r) => r.value));
    const valueIndex = indexOfIds(valueIds);
    const rows: Set<number>[] = itemIds.map(() => new Set<number>());
    for (const r of mine) rows[itemIndex.get(r.item)!].add(valueIndex.get(r.value)!);
    const indptr = new Int32Array(itemIds.length + 1);
    rows.forEach((s, i) => (indptr[i + 1] = indptr[i] + s.size));
    const indices = new Int32Array(indptr[itemIds.length]);
    rows.forEach((s, i) =>
      indices.set(
        [...s].sort((a, b) => a - b),
        indptr[i],
      ),
    );
    return { kind, valueIds, indptr, indices };
  });
  return { kinds: kindList, byKind };
}

/** Number of kinds for which item `item` has at least one value. */
export function kindsPresent(attributes: ItemAttributes, item: number): number {
  let n = 0;
  for (const k of attributes.byKind) if (k.indptr[item + 1] > k.indptr[item]) n++;
  return n;
}
