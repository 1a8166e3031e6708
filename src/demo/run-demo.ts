import { scoringPreset } from '../model/options';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { digestApiKey, type AppConfig } from '../config/app-config';
import { GraphClient, GraphUnavailableError } from '../graph/graph-client';
import { IngestRepository } from '../ingest/ingest.repository';
import { importDataset } from '../ingest/import-dataset';
import { openDataset } from '../datasets/open-dataset';
import { initBackend } from '../model/backend';
import { CatalogRepository } from '../catalog/catalog.repository';
import { CheckpointStore } from '../served-model/checkpoint-store';
import { runTrainingPipeline } from '../training/train-pipeline';
import { printPipelineProgress } from '../training/train-report';
import { TrainingRepository } from '../training/training.repository';
import { startServer, type StartedServer } from '../main';
import { explorerLines, firstItemId } from './demo-messages';

export interface DemoOptions {
  /** Replace a non-demo dataset in the database (it is never replaced silently). */
  readonly reset: boolean;
  /** Exit after printing the example instead of serving. */
  readonly serve: boolean;
  readonly seed: number;
}

export const DEMO_QUERY = `query Demo($userId: ID!) {
  recommend(userId: $userId, k: 3) {
    rank
    score
    item { id title }
    explanation {
      attribute
      attention { kind weight }
      neighbor { id title }
      sharedValues { kind name }
      text
    }
  }
}`;

/**
 * `npm run demo`: local Neo4j (started if needed), the offline synthetic dataset imported, a small
 * model trained, the API served, the explorer's address printed (where a newcomer follows a
 * recommendation's reason drawn as a graph), then a ready-to-paste `recommend` query with its answer.
 */
export async function runDemo(config: AppConfig, options: DemoOptions, out: (line: string) => void = console.log): Promise<StartedServer | null> {
  const graph = await connectOrStart(config, out);
  const store = new CheckpointStore(join(config.checkpointDir, 'demo'));
  let sampleUser: string;
  try {
    const ingest = new IngestRepository(graph);
    const meta = await ingest.readMeta();
    if (meta !== null && meta.source !== 'synthetic' && !options.reset) {
      throw new Error(
        `the database at ${config.neo4j.uri} holds "${meta.source}"; the demo would replace it with synthetic data. ` +
          'Run "npm run demo -- --reset" to allow that, or point NEO4J_URI / NEO4J_BOLT_PORT at another database.',
      );
    }
    out(`demo: importing the synthetic dataset (seed ${options.seed}) into ${config.neo4j.uri}`);
    await ingest.deleteAll();
    const summary = await importDataset(ingest, await openDataset('synthetic', undefined, { synthetic: { seed: options.seed } }));
    out(`demo: ${summary.items} items, ${summary.usersImported} users, ${summary.purchases} purchases, networks ${JSON.stringify(summary.edgesPerKind)}`);

    const backend = await initBackend({ prefer: config.tfBackend });
    out(`demo: training a small eran-plus (mixture scoring; tfjs ${backend.name})`);
    await runTrainingPipeline(
      new TrainingRepository(graph),
      store,
      {
        epochs: 40,
        patience: 4,
        backend: backend.name,
        hyper: { ...scoringPreset('mixture'), hidden: [64, 16], learningRate: 0.01, seed: 7 },
      },
      (p) => printPipelineProgress(p, (line) => out(`demo: ${line}`)),
    );
    sampleUser = (await new CatalogRepository(graph).listUserIds(1))[0] ?? '1';
  } finally {
    await graph.close();
  }

  // Writes need API keys and none is shipped: unless the environment sets some, the demo makes a
  // pair for this run only and prints them (they exist nowhere else).
  const generated = config.auth.adminKeys.length === 0 && config.auth.writerKeys.length === 0 ? { writer: newKey(), admin: newKey() } : null;
  const auth = generated === null ? config.auth : { writerKeys: [digestApiKey(generated.writer)], adminKeys: [digestApiKey(generated.admin)] };
  const server = await startServer({ ...config, auth, checkpointDir: store.root });
  const variables = { userId: sampleUser };
  const answer = await postGraphql(`${server.url}/graphql`, DEMO_QUERY, variables);
  for (const line of explorerLines(server.url, sampleUser, firstItemId(answer), generated)) out(line);
  out('');
  out(`The GraphQL API is at ${server.url}/graphql (GraphiQL there in a browser). Paste this, with variables ${JSON.stringify(variables)}:`);
  out('');
  out(DEMO_QUERY);
  out('');
  out('or from a shell:');
  out(`curl -s ${server.url}/graphql -H 'content-type: application/json' \\`);
  out(`  -d '${JSON.stringify({ query: DEMO_QUERY.replace(/\s+/g, ' '), variables })}'`);
  out('');
  out('Answer:');
  out(JSON.stringify(answer, null, 2));
  out('');
  if (generated !== null) {
    out('API keys for this run (writes need one; set WRITER_API_KEYS / ADMIN_API_KEYS to choose your own):');
    out(`  writer (recordPurchase):                      ${generated.writer}`);
    out(`  admin  (addItem, hideItem, retrainModel, ...): ${generated.admin}`);
    const purchase = { query: `mutation { recordPurchase(userId: "${sampleUser}", itemId: "1", rating: 5) { positive newUser } }` };
    out(`curl -s ${server.url}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${generated.writer}' \\`);
    out(`  -d '${JSON.stringify(purchase)}'`);
  } else {
    out('Writes need one of the API keys configured in WRITER_API_KEYS / ADMIN_API_KEYS (Authorization: Bearer <key>).');
  }
  if (!options.serve) {
    await server.app.close();
    return null;
  }
  out('');
  out('Press Ctrl-C to stop.');
  return server;
}

function newKey(): string {
  return randomBytes(32).toString('hex');
}

async function connectOrStart(config: AppConfig, out: (line: string) => void): Promise<GraphClient> {
  try {
    return await GraphClient.connect(config.neo4j);
  } catch (error) {
    if (!(error instanceof GraphUnavailableError) || !/^(bolt|neo4j):\/\/(127\.0\.0\.1|localhost)(:|$)/.test(config.neo4j.uri)) throw error;
  }
  const port = /:(\d+)\/?$/.exec(config.neo4j.uri)?.[1] ?? '7687';
  out(`demo: Neo4j is not running on ${config.neo4j.uri}: starting it (scripts/neo4j.sh start)`);
  execFileSync('bash', [join(__dirname, '..', '..', 'scripts', 'neo4j.sh'), 'start'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEO4J_BOLT_PORT: port, NEO4J_PASSWORD: config.neo4j.password },
  });
  return GraphClient.connect(config.neo4j);
}

async function postGraphql(url: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}
