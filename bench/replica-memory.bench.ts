/**
 * npm run bench:replica-memory -- [--items 100000] [--users 50000] [--cache-mb 64]
 *
 * Heap a replica spends on users and items at catalogue scale, measured in this process on the
 * synthetic world (generateWorldTables(scaledWorldOptions(...)): 100k items / 50k users / ~5M
 * purchases by default), without Neo4j: the same data structures, filled from the generated
 * tables instead of the graph, heap measured after a full GC (node --expose-gc).
 *  - before: every user's history held by every process (the design this replaced: R_u, its set,
 *    the owned set per user, and item -> buyers for the co-purchase check);
 *  - now: the bounded history cache (src/catalog/user-cache.ts) after every user has been served
 *    once, and what it accounts for itself (its byte budget decides evictions);
 *  - the item directory (catalogue-sized, held by both designs).
 * The served model's memory comes on top (README "Several replicas" gives the RSS of a replica).
 */
import { generateWorldTables, scaledWorldOptions } from '../src/datasets/synthetic';
import { ItemDirectory } from '../src/catalog/item-directory';
import { UserCache, type StoredUser } from '../src/catalog/user-cache';
import { benchCommand, positiveInt, positiveNumber } from './args';

function args(argv: readonly string[]): { items: number; users: number; cacheMb: number } {
  return benchCommand('bench:replica-memory', 'heap a replica spends on users and items at catalogue scale (run with node --expose-gc)')
    .option('--items <n>', 'items', positiveInt, 100_000)
    .option('--users <n>', 'users', positiveInt, 50_000)
    .option('--cache-mb <n>', 'byte budget of the user history cache, MiB', positiveNumber, 64)
    .parse(argv)
    .opts<{ items: number; users: number; cacheMb: number }>();
}

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:replica-memory does)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const o = args(process.argv);
  const world = generateWorldTables(scaledWorldOptions({ items: o.items, users: o.users }));
  const itemId = (i: number): string => String(i + 1);
  const userId = (u: number): string => String(u + 1);
  const stored = (u: number): StoredUser => {
    const purchased: string[] = [];
    const other: string[] = [];
    for (let p = world.userPtr[u]!; p < world.userPtr[u + 1]!; p++) (world.purchaseRating[p]! > 3 ? purchased : other).push(itemId(world.purchaseItem[p]!));
    return { purchased, other, rev: 0 };
  };
  const purchases = world.userPtr[o.users]!;
  console.log(`synthetic world: ${o.items} items, ${o.users} users, ${purchases} purchases (ratings)`);

  const base = heap();
  const directory = new ItemDirectory();
  for (let i = 0; i < o.items; i++) {
    const attrs = new Set<string>();
    for (const table of world.kinds) for (let p = table.ptr[i]!; p < table.ptr[i + 1]!; p++) attrs.add(`${table.kind}:${table.kind}-${table.values[p]! + 1}`);
    directory.putItem({ id: itemId(i), title: `Item ${i + 1}`, year: world.years[i]!, hidden: false, coldStart: false, attrs });
  }
  const directoryBytes = heap() - base;

  // Before: every user in every process.
  const beforeBase = heap();
  const everyone = new Map<string, { purchased: string[]; purchasedSet: Set<string>; owned: Set<string>; version: number }>();
  const buyers = new Map<string, Set<string>>();
  for (let u = 0; u < o.users; u++) {
    const s = stored(u);
    everyone.set(userId(u), { purchased: [...s.purchased], purchasedSet: new Set(s.purchased), owned: new Set([...s.purchased, ...s.other]), version: u });
    for (const id of s.purchased) {
      const set = buyers.get(id);
      if (set === undefined) buyers.set(id, new Set([userId(u)]));
      else set.add(userId(u));
    }
  }
  const beforeBytes = heap() - beforeBase;
  everyone.clear();
  buyers.clear();

  // Now: the bounded cache after every user was served once (the least recently used dropped).
  const nowBase = heap();
  const cache = new UserCache(async (id) => stored(Number(id) - 1), o.cacheMb * 2 ** 20);
  for (let u = 0; u < o.users; u++) await cache.get(userId(u));
  const nowBytes = heap() - nowBase;

  console.log(`item directory (both designs):       ${mib(directoryBytes)} (${directory.size} items)`);
  console.log(
    `before, every user's history:        ${mib(beforeBytes)} (${(beforeBytes / o.users / 1024).toFixed(1)} KiB per user, ${(beforeBytes / purchases).toFixed(0)} B per purchase)`,
  );
  console.log(
    `now, history cache (${o.cacheMb} MiB budget): ${mib(nowBytes)} on the heap, ${mib(cache.bytes)} accounted, ${cache.size} users cached ` +
      `(${(nowBytes / Math.max(1, cache.size) / 1024).toFixed(1)} KiB per cached user)`,
  );
}

main().catch((error: unknown) => {
  console.error(`bench:replica-memory: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
