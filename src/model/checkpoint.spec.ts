import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { datasetFingerprint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { buildEranFor, computeItemCodes, encodeNewItem, freezeEran } from './eran-model';
import { audience, scoreUser } from './scorer';
import { plantedGraph } from './testing/planted-graph';
import { expectedTestBackendName, useTestBackend } from './testing/use-test-backend';
import { trainEran } from './trainer';

beforeAll(async () => {
  await useTestBackend();
});

describe('checkpoints', () => {
  const planted = plantedGraph({ numItems: 60, numUsers: 30, seed: 4 });
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eran-ckpt-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips to identical scores, weights and codes, without any database', async () => {
    const model = buildEranFor(planted.data, { hidden: [16, 4], batchSize: 64, learningRate: 0.01, itemBias: true });
    await trainEran(model, planted.data, { epochs: 2 });
    const emb = freezeEran(model, planted.data.networks);
    const manifest = await saveCheckpoint(dir, model, planted.data, { backend: tf.getBackend(), metrics: { epochs: 2 }, embeddings: emb });
    expect(manifest.datasetFingerprint).toBe(datasetFingerprint(planted.data));

    const loaded = await loadCheckpoint(dir);
    expect(loaded.manifest.itemIds).toEqual(planted.data.itemIds);
    expect(loaded.manifest.backend).toBe(expectedTestBackendName());
    for (let u = 0; u < 5; u++) {
      expect(Array.from(scoreUser(loaded.embeddings, u, planted.data.userItems[u]))).toEqual(Array.from(scoreUser(emb, u, planted.data.userItems[u])));
    }
    expect(audience(loaded.embeddings, 3, 5, planted.data.userItems)).toEqual(audience(emb, 3, 5, planted.data.userItems));
    const reloaded = loaded.model;
    if (reloaded === null) throw new Error('expected a model');
    // The loaded weights reproduce the stored codes bit for bit on the same backend.
    computeItemCodes(reloaded, planted.data.networks).forEach((c, k) => expect(Array.from(c)).toEqual(Array.from(emb.codes[k])));
    expect(Array.from(encodeNewItem(reloaded, [[1, 2], [3], [4]])[0])).toEqual(Array.from(encodeNewItem(model, [[1, 2], [3], [4]])[0]));
    model.dispose();
    reloaded.dispose();
  });

  it('detects corrupted tensors and unknown format versions', async () => {
    const model = buildEranFor(planted.data, { hidden: [8, 2] });
    const manifest = await saveCheckpoint(dir, model, planted.data);
    model.dispose();
    const file = path.join(dir, manifest.embeddings[0].file);
    const bytes = await fs.readFile(file);
    bytes[0] ^= 0xff;
    await fs.writeFile(file, bytes);
    await expect(loadCheckpoint(dir, { withModel: false })).rejects.toThrow(/checksum mismatch/);
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 99 }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/expected formatVersion 1, got 99/);
  });

  it('fingerprints the dataset: ids and adjacency', () => {
    const other = plantedGraph({ numItems: 60, numUsers: 30, seed: 5 });
    expect(datasetFingerprint(planted.data)).toBe(datasetFingerprint(plantedGraph({ numItems: 60, numUsers: 30, seed: 4 }).data));
    expect(datasetFingerprint(other.data)).not.toBe(datasetFingerprint(planted.data));
  });
});
