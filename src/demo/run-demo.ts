import { scoringPreset } from '../model/options';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { GraphClient, GraphUnavailableError } from '../graph/graph-client';
import { IngestRepository } from '../ingest/ingest.repository';
import { importDataset } from '../ingest/import-dataset';
import { openDataset } from '../datasets/open-dataset';
import { initBackend, type BackendPreference } from '../model/backend';
import { CatalogRepository } from '../catalog/catalog.repository';
import { CheckpointStore } from '../served-model/checkpoint-store';
import { runTrainingPipeline } from '../training/train-pipeline';
import { printPipelineProgress } from '../training/train-report';
import { TrainingRepository } from '../training/training.repository';
import { startServer, type StartedServer } from '../main';

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
 * model trained, the API served, and a ready-to-paste `recommend` query printed with its real answer.
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

    const backend = await initBackend({ prefer: (config.tfBackend || 'auto') as BackendPreference });
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

  const server = await startServer({ ...config, checkpointDir: store.root });
  const variables = { userId: sampleUser };
  const answer = await postGraphql(`${server.url}/graphql`, DEMO_QUERY, variables);
  out('');
  out(`eRAN-graph is serving at ${server.url}/graphql (open ${server.url}/ in a browser for the query page)`);
  out('Paste this into the page, with variables ' + JSON.stringify(variables) + ':');
  out('');
  out(DEMO_QUERY);
  out('');
  out('or from a shell:');
  out(`curl -s ${server.url}/graphql -H 'content-type: application/json' \\`);
  out(`  -d '${JSON.stringify({ query: DEMO_QUERY.replace(/\s+/g, ' '), variables })}'`);
  out('');
  out('Answer:');
  out(JSON.stringify(answer, null, 2));
  if (!options.serve) {
    await server.app.close();
    return null;
  }
  out('');
  out('Press Ctrl-C to stop.');
  return server;
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
