import { loadConfig } from '../../src/config/app-config';
import { GraphClient } from '../../src/graph/graph-client';
import { IngestRepository } from '../../src/ingest/ingest.repository';
import { importDataset } from '../../src/ingest/import-dataset';
import { generateMovieWorld, syntheticSource } from '../../src/datasets/synthetic';
import { CatalogRepository } from '../../src/catalog/catalog.repository';
import { SyncRepository } from '../../src/sync/sync.repository';

/**
 * What of a Neo4j cluster can be checked against the single test server: the routing scheme
 * (`neo4j://`, which a cluster needs so that writes go to the leader and reads to followers), and
 * the bookmark chain a replica carries from its writes into its next sessions (read-your-writes).
 */
const config = loadConfig();
const routed = { ...config.neo4j, uri: config.neo4j.uri.replace(/^bolt:/, 'neo4j:') };

let plain: GraphClient;

beforeAll(async () => {
  plain = await GraphClient.connect(config.neo4j);
  const ingest = new IngestRepository(plain);
  await ingest.deleteAll();
  await importDataset(ingest, syntheticSource(generateMovieWorld({ seed: 5, users: 30, items: 40 })));
});

afterAll(async () => {
  await plain?.close();
});

describe('against a cluster-style connection', () => {
  it('reads and writes through the routing scheme (neo4j://) as through bolt://', async () => {
    expect(routed.uri).toMatch(/^neo4j:\/\//);
    const graph = await GraphClient.connect(routed, undefined, { causal: true });
    try {
      const repo = new CatalogRepository(graph);
      const write = await repo.recordPurchase('routed-user', '1', 5, 1, ['actor', 'director', 'genre'], 1);
      expect(write.newUser).toBe(true);
      expect((await repo.readUser('routed-user'))!).toMatchObject({ purchased: ['1'], rev: write.seq });
    } finally {
      await graph.close();
    }
  });

  it('carries the bookmark of each write into the next sessions, and reads what it wrote', async () => {
    const graph = await GraphClient.connect(routed, undefined, { causal: true });
    try {
      const repo = new CatalogRepository(graph);
      const feed = new SyncRepository(graph);
      expect(await graph.bookmarks()).toEqual([]);
      const first = await repo.recordPurchase('bookmarked', '2', 5, 1, ['actor', 'director', 'genre'], 1);
      const afterFirst = await graph.bookmarks();
      expect(afterFirst).toHaveLength(1);
      const second = await repo.recordPurchase('bookmarked', '3', 5, 2, ['actor', 'director', 'genre'], 1);
      const afterSecond = await graph.bookmarks();
      expect(afterSecond).toHaveLength(1);
      expect(afterSecond).not.toEqual(afterFirst);
      // The next session (a read) starts after the second write: it sees both, and the change log does too.
      expect((await repo.readUser('bookmarked'))!.purchased).toEqual(['2', '3']);
      const page = await feed.read(first.seq - 1, 10);
      expect(page.changes.map((c) => [c.seq, c.key])).toEqual([
        [first.seq, 'bookmarked'],
        [second.seq, 'bookmarked'],
      ]);
      // A client without the chain keeps no bookmarks.
      expect(await plain.bookmarks()).toEqual([]);
    } finally {
      await graph.close();
    }
  });
});
