import { readFileSync } from 'node:fs';
import type { EranEmbeddings } from '../../src/model/embeddings';
import { scoringFamilyOf } from '../../src/served-model/scoring/scoring-family-of';
import { Rng } from '../../src/model/rng';
function readEmbeddings(file: string): EranEmbeddings {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const f32 = (s: string): Float32Array => { const b = Buffer.from(s, 'base64'); const o = new Float32Array(b.length / 4); new Uint8Array(o.buffer).set(b); return o; };
  return { ...raw, codes: raw.codes.map(f32), users: f32(raw.users), itemBias: raw.itemBias && f32(raw.itemBias), itemEmbedding: raw.itemEmbedding && f32(raw.itemEmbedding) };
}
const emb = readEmbeddings('/tmp/serving/ml100k-seed1.json');
const fam = scoringFamilyOf(emb);
const rng = new Rng(1);
for (const r of [20, 60, 150, 400]) {
  const hist = Array.from({ length: r }, () => rng.int(emb.numItems));
  const times = hist.map((_, p) => p);
  const cands = Int32Array.from({ length: 250 }, () => rng.int(emb.numItems));
  const out = new Float32Array(cands.length);
  const z = emb.users.slice(0, emb.dim);
  // warm
  for (let i = 0; i < 20; i++) fam.user(emb, z, hist, times).scoreCandidates(cands, out);
  const reps = 50;
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fam.user(emb, z, hist, times).scoreCandidates(cands, out);
  const c = process.cpuUsage(c0);
  console.log(`r=${r}: ${((c.user + c.system) / 1000 / reps).toFixed(3)} ms CPU per user (250 candidates, prepare included)`);
}
