/**
 * Checkpoints: one little-endian Float32 .bin per tensor plus `manifest.json` (format version,
 * config, dataset fingerprint, item/user id maps, backend, training metrics, createdAt, and the
 * tensor index with shapes and SHA-256). Loading needs only the directory: no Neo4j.
 *
 * Besides the weights (needed to encode cold-start items and to continue training) the frozen
 * item codes and user embeddings are stored, so that a server can score with no tfjs backend and
 * the loaded scores are bit-identical to those of the trained model.
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { EranEmbeddings, checkEmbeddings } from './embeddings';
import { EranModel, buildEran, freezeEran } from './eran-model';
import type { GraphData } from './graph-data';
import type { EranConfig } from './options';

export const CHECKPOINT_FORMAT_VERSION = 1;

export interface TensorEntry {
  readonly name: string;
  /** Path relative to the checkpoint directory. */
  readonly file: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  readonly sha256: string;
}

export type CheckpointMetrics = Readonly<Record<string, number | string | boolean | null>>;

export interface CheckpointManifest {
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly config: EranConfig;
  /** datasetFingerprint() of the GraphData the model was trained on. */
  readonly datasetFingerprint: string;
  /** Item index -> external id. */
  readonly itemIds: readonly string[];
  /** User index -> external id. */
  readonly userIds: readonly string[];
  readonly backend: string | null;
  readonly metrics: CheckpointMetrics;
  readonly weights: readonly TensorEntry[];
  readonly embeddings: readonly TensorEntry[];
}

export interface SaveCheckpointOptions {
  readonly backend?: string;
  readonly metrics?: CheckpointMetrics;
  /** Frozen embeddings if already computed; otherwise computed here (freezeEran). */
  readonly embeddings?: EranEmbeddings;
  readonly createdAt?: Date;
}

export interface LoadedCheckpoint {
  readonly manifest: CheckpointManifest;
  readonly embeddings: EranEmbeddings;
  /** The tfjs model (for encodeNewItem and further training); null when loaded with `withModel: false`. */
  readonly model: EranModel | null;
}

/** SHA-256 over item ids, user ids and every network's kind and adjacency (indptr, indices). */
export function datasetFingerprint(data: Pick<GraphData, 'itemIds' | 'userIds' | 'networks'>): string {
  const hash = createHash('sha256');
  hash.update(`items:${data.itemIds.length}\n`);
  for (const id of data.itemIds) hash.update(`${id}\n`);
  hash.update(`users:${data.userIds.length}\n`);
  for (const id of data.userIds) hash.update(`${id}\n`);
  for (const net of data.networks) {
    hash.update(`network:${net.kind}:${net.n}:${net.indices.length}\n`);
    hash.update(bytesOf(net.indptr));
    hash.update(bytesOf(net.indices));
  }
  return hash.digest('hex');
}

/** Writes a checkpoint into `dir` (created if needed). The manifest is written last. */
export async function saveCheckpoint(dir: string, model: EranModel, data: GraphData, options: SaveCheckpointOptions = {}): Promise<CheckpointManifest> {
  assertLittleEndian();
  const { config } = model;
  if (data.itemIds.length !== config.numItems || data.userIds.length !== config.numUsers) {
    throw new Error(
      `saveCheckpoint: expected data with ${config.numItems} items and ${config.numUsers} users, got ${data.itemIds.length} and ${data.userIds.length}`,
    );
  }
  const embeddings = options.embeddings ?? freezeEran(model, data.networks);
  checkEmbeddings(embeddings);
  await fs.mkdir(path.join(dir, 'weights'), { recursive: true });
  await fs.mkdir(path.join(dir, 'embeddings'), { recursive: true });

  const weights: TensorEntry[] = [];
  for (const [name, variable] of model.namedVariables()) {
    const values = variable.dataSync() as Float32Array;
    weights.push(await writeTensor(dir, `weights/${name}.bin`, name, variable.shape, values));
  }
  const d = embeddings.dim;
  const embeddingEntries: TensorEntry[] = [];
  for (let k = 0; k < embeddings.codes.length; k++) {
    embeddingEntries.push(await writeTensor(dir, `embeddings/codes.k${k}.bin`, `codes.k${k}`, [embeddings.numItems, d], embeddings.codes[k]));
  }
  embeddingEntries.push(await writeTensor(dir, 'embeddings/users.bin', 'users', [embeddings.numUsers, d], embeddings.users));
  if (embeddings.itemBias) {
    embeddingEntries.push(await writeTensor(dir, 'embeddings/itemBias.bin', 'itemBias', [embeddings.numItems], embeddings.itemBias));
  }
  if (embeddings.itemEmbedding) {
    embeddingEntries.push(await writeTensor(dir, 'embeddings/itemEmbedding.bin', 'itemEmbedding', [embeddings.numItems, d], embeddings.itemEmbedding));
  }
  const manifest: CheckpointManifest = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    config,
    datasetFingerprint: datasetFingerprint(data),
    itemIds: [...data.itemIds],
    userIds: [...data.userIds],
    backend: options.backend ?? null,
    metrics: options.metrics ?? {},
    weights,
    embeddings: embeddingEntries,
  };
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}

/** Reads a checkpoint; verifies format version, sizes and checksums. */
export async function loadCheckpoint(dir: string, options: { readonly withModel?: boolean } = {}): Promise<LoadedCheckpoint> {
  assertLittleEndian();
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as CheckpointManifest;
  if (manifest.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new Error(`${manifestPath}: expected formatVersion ${CHECKPOINT_FORMAT_VERSION}, got ${String(manifest.formatVersion)}`);
  }
  const { config } = manifest;
  const byName = new Map<string, Float32Array>();
  for (const entry of manifest.embeddings) byName.set(entry.name, await readTensor(dir, entry));
  const d = config.hidden[config.hidden.length - 1];
  const need = (name: string): Float32Array => {
    const v = byName.get(name);
    if (!v) throw new Error(`${manifestPath}: expected an embeddings entry named ${name}, found none`);
    return v;
  };
  const embeddings: EranEmbeddings = {
    kinds: [...config.kinds],
    numItems: config.numItems,
    numUsers: config.numUsers,
    dim: d,
    codes: config.kinds.map((_, k) => need(`codes.k${k}`)),
    users: need('users'),
    itemBias: byName.get('itemBias') ?? null,
    // Checkpoints written before the improvements carry none of these: eq. 13 scoring, no e_i.
    itemEmbedding: byName.get('itemEmbedding') ?? null,
    scoring: config.scoring ?? 'paper',
    tau: config.tau ?? 2,
    ...((config.recencyHalfLife ?? 0) > 0 ? { recencyHalfLife: config.recencyHalfLife } : {}),
  };
  checkEmbeddings(embeddings);

  let model: EranModel | null = null;
  if (options.withModel ?? true) {
    model = buildEran(config);
    const entries = new Map(manifest.weights.map((e) => [e.name, e]));
    for (const [name, variable] of model.namedVariables()) {
      const entry = entries.get(name);
      if (!entry) throw new Error(`${manifestPath}: expected a weight named ${name}, found none`);
      if (entry.shape.join('x') !== variable.shape.join('x')) {
        throw new Error(`${manifestPath}: weight ${name}: expected shape ${variable.shape.join('x')}, got ${entry.shape.join('x')}`);
      }
      const values = await readTensor(dir, entry);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    }
  }
  return { manifest, embeddings, model };
}

async function writeTensor(dir: string, file: string, name: string, shape: readonly number[], values: Float32Array): Promise<TensorEntry> {
  const bytes = bytesOf(values);
  await fs.writeFile(path.join(dir, file), bytes);
  return { name, file, shape: [...shape], dtype: 'float32', sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function readTensor(dir: string, entry: TensorEntry): Promise<Float32Array> {
  const file = path.join(dir, entry.file);
  const bytes = await fs.readFile(file);
  const expected = entry.shape.reduce((a, b) => a * b, 1) * 4;
  if (bytes.length !== expected) throw new Error(`${file}: expected ${expected} bytes for shape ${entry.shape.join('x')}, got ${bytes.length}`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== entry.sha256) throw new Error(`${file}: checksum mismatch (expected ${entry.sha256}, got ${sha})`);
  // Copy into an aligned buffer: a Buffer may sit at any byte offset of its pool.
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function bytesOf(array: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new Error(`checkpoint: expected a little-endian machine, got ${os.endianness()}`);
}
