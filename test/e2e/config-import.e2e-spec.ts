import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { GraphClient } from '../../src/graph/graph-client';
import { IngestRepository } from '../../src/ingest/ingest.repository';
import { importDataset } from '../../src/ingest/import-dataset';
import { TransactionalWriter } from '../../src/ingest/transactional-writer';
import { generateMovieWorld, syntheticSource, type SyntheticWorld } from '../../src/datasets/synthetic';
import { openCsvDataset } from '../../src/datasets/csv-dataset';
import { DataFormatError, type DatasetSource } from '../../src/datasets/dataset.types';

/**
 * Configuration and import as a user meets them, against the real test Neo4j: the `eran` CLI in a
 * child process (it must read .env itself), and imports with --reset that must leave the graph as
 * it was whenever the input is refused.
 */
const ROOT = join(__dirname, '..', '..');
const config = loadConfig();
let graph: GraphClient;
let repo: IngestRepository;
const world: SyntheticWorld = generateMovieWorld({ seed: 5, users: 60, items: 90 });

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `eran <args>` as a user runs it, with this environment (NEO4J_* from the e2e setup unless removed). */
function eran(args: readonly string[], env: NodeJS.ProcessEnv = {}, unset: readonly string[] = []): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', DOTENV_CONFIG_PATH: emptyEnvFile, ...env };
  for (const name of unset) delete childEnv[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli.ts'), ...args],
      { cwd: ROOT, env: childEnv, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'eran-config-import-'));
/** A developer's own .env must not leak into these runs. */
const emptyEnvFile = join(scratch, 'empty.env');
writeFileSync(emptyEnvFile, '');

function envFile(name: string, lines: readonly string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The world as the generic CSV layout, with the attribute kinds renamed and a line of interactions.csv replaced if asked. */
function csvDataset(name: string, opts: { kind?: (kind: string) => string; badInteractionLine?: number } = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const interactions = ['user,item,rating,timestamp', ...world.interactions.map((r) => `${r.user},${r.item},${r.rating},${r.timestamp ?? ''}`)];
  if (opts.badInteractionLine !== undefined) interactions[opts.badInteractionLine - 1] = 'u1,i1,four,1';
  writeFileSync(join(dir, 'interactions.csv'), `${interactions.join('\n')}\n`);
  writeFileSync(join(dir, 'items.csv'), `${['item,title,year', ...world.items.map((i) => `${i.item},"${i.title}",${i.year ?? ''}`)].join('\n')}\n`);
  const kind = opts.kind ?? ((k: string) => k);
  writeFileSync(
    join(dir, 'item_attributes.csv'),
    `${['item,kind,value', ...world.attributes.map((a) => `${a.item},${kind(a.kind)},${a.value}`)].join('\n')}\n`,
  );
  return dir;
}

/** Every node with its labels and properties, every relationship with its ends, type and properties, sorted. */
async function graphDump(): Promise<string[]> {
  const nodes = await repo.countNodes();
  const rels = await repo.countRelationships();
  const meta = await repo.readMeta();
  return [...nodes.map((n) => `node ${n.label} ${n.count}`), ...rels.map((r) => `rel ${r.type} ${r.count}`), `meta ${JSON.stringify(meta)}`].sort();
}

beforeAll(async () => {
  graph = await GraphClient.connect(config.neo4j);
  repo = new IngestRepository(graph);
});

afterAll(async () => {
  await graph?.close();
});

describe('configuration through .env', () => {
  it('a NEO4J_PASSWORD changed in .env reaches the CLI: wrong in the file fails to authenticate, right in the file works', async () => {
    const wrong = await eran(['stats'], { DOTENV_CONFIG_PATH: envFile('wrong.env', ['NEO4J_PASSWORD=not-the-password']) }, ['NEO4J_PASSWORD']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/^eran: .*(auth|credentials|password)/im);
    const right = await eran(['stats'], { DOTENV_CONFIG_PATH: envFile('right.env', [`NEO4J_PASSWORD="${config.neo4j.password}"`]) }, ['NEO4J_PASSWORD']);
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/^Dataset: /);
  }, 240_000);

  it('a bad value in .env stops the server at boot with one line naming the variable', async () => {
    const run = await eran(['serve'], { DOTENV_CONFIG_PATH: envFile('bad.env', ['ERAN_TF_BACKEND=webgl', 'PORT=0']) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^eran: configuration: ERAN_TF_BACKEND must be one of auto \| tensorflow .* got "webgl"$/),
    ]);
  }, 120_000);
});

describe('eran import refuses bad input before it deletes anything (--reset on a full graph)', () => {
  let before: string[];

  beforeAll(async () => {
    await repo.deleteAll();
    await importDataset(repo, syntheticSource(world));
    before = await graphDump();
    expect(before.find((line) => line.startsWith('node Item '))).toBe(`node Item ${world.items.length}`);
  });

  afterEach(async () => {
    expect(await graphDump()).toEqual(before);
  });

  const resetting = (): TransactionalWriter => new TransactionalWriter(repo, { replace: true });

  it('a malformed row', async () => {
    const dir = csvDataset('malformed', { badInteractionLine: 30 });
    const error = await importDataset(repo, await openCsvDataset(dir), { writer: resetting() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toMatch(/interactions\.csv:30: field "rating"/);
  });

  it('--kinds naming a kind the dataset lacks', async () => {
    await expect(importDataset(repo, syntheticSource(world), { kinds: ['actor', 'nope'], writer: resetting() })).rejects.toThrow(
      'synthetic: no attribute kind "nope" (the dataset has actor, director, genre)',
    );
  });

  it('a dataset whose attribute kind is a label of the graph (user)', async () => {
    const base = syntheticSource(world);
    const clashing: DatasetSource = { ...base, name: 'clashing', kinds: ['actor', 'director', 'user'] };
    await expect(importDataset(repo, clashing, { writer: resetting() })).rejects.toThrow(
      'clashing: attribute kind "user" is reserved: its values would be labelled User',
    );
  });

  it('eran import --reset of a CSV folder whose item_attributes.csv has the kind "Item": one line naming the file', async () => {
    const dir = csvDataset('kind-item', { kind: (k) => (k === 'genre' ? 'Item' : k) });
    const run = await eran(['import', '--format', 'csv', '--path', dir, '--reset', '--writer', 'transactional']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `eran: ${join(dir, 'item_attributes.csv')}: attribute kind "item" is reserved: its values would be labelled Item, the graph's own Item nodes; rename it`,
    ]);
  }, 120_000);

  it('eran import --reset --format with an unknown format: one line listing the formats', async () => {
    const run = await eran(['import', '--format', 'parquet', '--path', scratch, '--reset']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      "error: option '--format <format>' argument 'parquet' is invalid. Allowed choices are csv, movielens-100k, hetrec, kaggle, synthetic.",
    ]);
  }, 120_000);
});
