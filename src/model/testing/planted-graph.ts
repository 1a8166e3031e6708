/**
 * Seeded planted-preference fixtures: every user is driven by one attribute kind (the planted
 * driver) and buys mostly items that share one value of that kind; the attribute networks are
 * "co-purchased AND share a value of k". A model whose attention works should put most of each
 * user's attention on the driver kind.
 */
import type { GraphData } from '../graph-data';
import { Rng } from '../rng';
import { buildAttributeNetworks } from './attribute-networks';

export interface PlantedGraphOptions {
  readonly numItems?: number;
  readonly numUsers?: number;
  readonly kinds?: readonly string[];
  /** Distinct values per kind (each item has one value per kind). */
  readonly valuesPerKind?: number;
  /** Inclusive range of purchases per user. */
  readonly itemsPerUser?: readonly [number, number];
  /** Fraction of each user's purchases drawn uniformly at random instead of from the favourite value. */
  readonly noise?: number;
  /** Hold out one positive per user (excluded from userItems and from the networks). */
  readonly holdOut?: boolean;
  readonly seed?: number;
}

export interface PlantedGraph {
  /** Training data: networks built from training positives only. */
  readonly data: GraphData;
  /** Per user: index of the planted driver kind. */
  readonly driver: Int32Array;
  /** Per user: the favourite value of the driver kind. */
  readonly favourite: Int32Array;
  /** Per kind, per item: its value. */
  readonly itemValues: readonly Int32Array[];
  /** Per user: the held-out item, or -1. */
  readonly heldOut: Int32Array;
}

export function plantedGraph(options: PlantedGraphOptions = {}): PlantedGraph {
  const numItems = options.numItems ?? 150;
  const numUsers = options.numUsers ?? 120;
  const kinds = options.kinds ?? ['actor', 'director', 'genre'];
  const valuesPerKind = options.valuesPerKind ?? 10;
  const [minItems, maxItems] = options.itemsPerUser ?? [6, 12];
  const noise = options.noise ?? 0.1;
  const rng = new Rng(options.seed ?? 7);
  if (minItems < 2 || maxItems < minItems || maxItems > numItems / 2) {
    throw new Error(`plantedGraph: expected 2 <= itemsPerUser[0] <= itemsPerUser[1] <= numItems/2, got [${minItems}, ${maxItems}] with ${numItems} items`);
  }

  const itemValues = kinds.map(() => {
    const values = new Int32Array(numItems);
    for (let i = 0; i < numItems; i++) values[i] = rng.int(valuesPerKind);
    return values;
  });
  const byValue = itemValues.map((values) => {
    const lists: number[][] = Array.from({ length: valuesPerKind }, () => []);
    values.forEach((v, i) => lists[v].push(i));
    return lists;
  });

  const driver = new Int32Array(numUsers);
  const favourite = new Int32Array(numUsers);
  const heldOut = new Int32Array(numUsers).fill(-1);
  const userItems: Int32Array[] = [];
  for (let u = 0; u < numUsers; u++) {
    const k = u % kinds.length;
    driver[u] = k;
    // A favourite value with enough items to draw from.
    let v = rng.int(valuesPerKind);
    for (let tries = 0; byValue[k][v].length < minItems && tries < 100; tries++) v = rng.int(valuesPerKind);
    favourite[u] = v;
    const want = minItems + rng.int(maxItems - minItems + 1);
    const chosen = new Set<number>();
    const pool = byValue[k][v];
    while (chosen.size < want) {
      const fromPool = rng.next() >= noise && chosen.size < pool.length;
      chosen.add(fromPool ? pool[rng.int(pool.length)] : rng.int(numItems));
    }
    const items = Int32Array.from(chosen).sort();
    if (options.holdOut) {
      const p = rng.int(items.length);
      heldOut[u] = items[p];
      userItems.push(Int32Array.from(items.filter((_, q) => q !== p)));
    } else {
      userItems.push(items);
    }
  }

  const singleValues = itemValues.map((values) => Array.from(values, (v) => Int32Array.of(v)));
  const networks = buildAttributeNetworks(numItems, userItems, kinds, singleValues);
  const data: GraphData = {
    itemIds: Array.from({ length: numItems }, (_, i) => `item-${i}`),
    userIds: Array.from({ length: numUsers }, (_, u) => `user-${u}`),
    networks,
    userItems,
  };
  return { data, driver, favourite, itemValues, heldOut };
}
