/**
 * Part of `npm run bench:scale` (also runnable alone, after `bench:import --synthetic` and
 * `eran train` on the same world):
 *
 *   ts-node bench/scale-quality.ts --items 100000 --users 50000 [--seed 42] [--recall-users 100]
 *                                  [--recovery-users 5000] [--json <file>]
 *
 * Reads the newest checkpoint under CHECKPOINT_DIR and the candidate sources from the configured
 * Neo4j (as the API does at activation), regenerates the synthetic world the graph was imported
 * from (same size and seed: the generator is deterministic) for its planted drivers, and prints:
 *
 * - candidate recall@10: for a seeded sample of users, the share of the exact top-10 (every item
 *   scored, purchases excluded) that the served candidate path returns;
 * - planted-driver recovery: the share of sampled users whose highest mean attention (over their
 *   purchases, as the attention study reads it) is on the kind that generated their purchases
 *   (chance: 1 / number of kinds).
 */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../src/config/app-config';
import { generateWorldTables, scaledWorldOptions, SYNTHETIC_KINDS } from '../src/datasets/synthetic';
import { GraphClient } from '../src/graph/graph-client';
import { initBackend } from '../src/model/backend';
import { userAttentionProfile } from '../src/model/explain';
import { Rng } from '../src/model/rng';
import { CheckpointStore } from '../src/served-model/checkpoint-store';
import { EranEngine } from '../src/served-model/eran-engine';
import type { UserHistory } from '../src/served-model/recommender-engine';
import { ServedModelRepository } from '../src/served-model/served-model.repository';
import { benchCommand, finiteNumber, log, positiveInt } from './args';

export interface ScaleQuality {
  readonly version: string;
  readonly recallAt10: number;
  readonly recallUsers: number;
  readonly recovery: number;
  readonly recoveryUsers: number;
  readonly recoveryByDriver: Readonly<Record<string, number>>;
  readonly activationSeconds: number;
}

interface Options {
  readonly items: number;
  readonly users?: number;
  readonly seed: number;
  readonly recallUsers: number;
  readonly recoveryUsers: number;
  readonly json?: string;
}

function parseOptions(argv: readonly string[]): Options {
  return benchCommand('scale-quality', 'candidate recall@10 and planted-driver recovery of the newest checkpoint (part of bench:scale)')
    .option('--items <n>', 'items of the synthetic world the graph was imported from', positiveInt, 6000)
    .option('--users <n>', 'its users (default: items / 2)', positiveInt)
    .option('--seed <n>', 'its seed', finiteNumber, 42)
    .option('--recall-users <n>', 'users sampled for candidate recall@10', positiveInt, 100)
    .option('--recovery-users <n>', 'users sampled for planted-driver recovery', positiveInt, 5000)
    .option('--json <file>', 'also write the result as JSON here')
    .parse(argv)
    .opts<Options>();
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv);
  const { items, seed } = o;
  const users = o.users ?? Math.ceil(items / 2);
  const config = loadConfig();
  await initBackend({ prefer: (config.tfBackend || 'auto') as never, log });

  const store = new CheckpointStore(config.checkpointDir);
  const version = await store.newest();
  if (version === null) throw new Error(`no checkpoint under ${config.checkpointDir}: run eran train first`);
  const { manifest, embeddings } = await store.load(version);
  const world = generateWorldTables(scaledWorldOptions({ items, users, seed }));
  if (manifest.config.numItems > world.items)
    throw new Error(`the checkpoint has ${manifest.config.numItems} items, the world ${world.items}: not the same world`);

  const itemIndex = new Map(manifest.itemIds.map((id, i) => [id, i]));
  const userIndex = new Map(manifest.userIds.map((id, u) => [id, u]));
  // The import keeps purchases rated above 3 as positives (R_u), oldest first.
  const historyOf = (u: number): string[] => {
    const out: string[] = [];
    for (let p = world.userPtr[u]!; p < world.userPtr[u + 1]!; p++) if (world.purchaseRating[p]! > 3) out.push(String(world.purchaseItem[p]! + 1));
    return out;
  };
  const rng = new Rng(seed + 1);
  const trained = Array.from({ length: world.users }, (_, u) => u).filter((u) => userIndex.has(String(u + 1)));
  const sample = (n: number): number[] => rng.shuffle([...trained]).slice(0, Math.min(n, trained.length));

  // Planted-driver recovery.
  const recoverySample = sample(o.recoveryUsers);
  const hits = new Map<string, { hit: number; n: number }>(SYNTHETIC_KINDS.map((k) => [k, { hit: 0, n: 0 }]));
  let hit = 0;
  for (const u of recoverySample) {
    const history = historyOf(u)
      .map((id) => itemIndex.get(id))
      .filter((i): i is number => i !== undefined);
    const profile = userAttentionProfile(embeddings, userIndex.get(String(u + 1))!, history);
    const top = profile.reduce((a, b) => (b.weight > a.weight ? b : a));
    const driver = SYNTHETIC_KINDS[world.drivers[u]!]!;
    const cell = hits.get(driver)!;
    cell.n++;
    if (top.kind === driver) {
      hit++;
      cell.hit++;
    }
  }
  const recovery = hit / Math.max(1, recoverySample.length);
  const recoveryByDriver = Object.fromEntries([...hits].map(([k, c]) => [k, c.n === 0 ? NaN : c.hit / c.n]));
  log(
    `planted-driver recovery: ${(100 * recovery).toFixed(1)}% of ${recoverySample.length} users (chance ${(100 / embeddings.kinds.length).toFixed(0)}%); ` +
      Object.entries(recoveryByDriver)
        .map(([k, r]) => `${k} ${(100 * r).toFixed(1)}%`)
        .join(', '),
  );

  // Candidate recall@10 against exact scoring, with the candidate sources the API reads.
  const graph = await GraphClient.connect(config.neo4j);
  const snapshot = await new ServedModelRepository(graph).snapshot(manifest.config.kinds).finally(() => graph.close());
  const ids = { embeddings, model: null, itemIds: manifest.itemIds, userIds: manifest.userIds };
  const served = new EranEngine(ids, { scoringPath: 'candidates' });
  const activated = process.hrtime.bigint();
  await served.activate(snapshot);
  const activationSeconds = Number(process.hrtime.bigint() - activated) / 1e9;
  log(`served engine activated in ${activationSeconds.toFixed(1)} s`);
  // The exact path scores every item and needs no index.
  const exact = new EranEngine(ids, { scoringPath: 'exact' });
  const recallSample = sample(o.recallUsers);
  let recallSum = 0;
  for (const u of recallSample) {
    const history: UserHistory = { userId: String(u + 1), purchased: historyOf(u), version: 1 };
    const owned = new Set(history.purchased);
    const keep = (id: string): boolean => !owned.has(id);
    const truth = new Set(exact.recommend(history, 10, keep).map((s) => s.itemId));
    const got = served.recommend(history, 10, keep).filter((s) => truth.has(s.itemId)).length;
    recallSum += got / Math.max(1, truth.size);
  }
  const recallAt10 = recallSum / Math.max(1, recallSample.length);
  log(`candidate recall@10: ${recallAt10.toFixed(4)} over ${recallSample.length} users`);
  served.dispose();
  exact.dispose();

  const result: ScaleQuality = {
    version,
    recallAt10,
    recallUsers: recallSample.length,
    recovery,
    recoveryUsers: recoverySample.length,
    recoveryByDriver,
    activationSeconds,
  };
  if (o.json !== undefined) writeFileSync(o.json, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(`scale-quality: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
