/**
 * eRAN training benchmark.
 *
 *   npx ts-node --transpile-only bench/train.bench.ts --csv ../shared/data/ml100k-cast
 *   npx ts-node --transpile-only bench/train.bench.ts --synthetic --items 2000 --users 1500
 *
 * Prints the backend, dataset and network sizes, the sparse-vs-dense first-layer speed on a real
 * batch (forward + backward), a per-phase profile of one training step, then trains with
 * validation (leave-one-out nDCG@10 against 100 sampled negatives, the latest positive held out)
 * after every epoch and reports triplets/s, seconds per epoch, time to the best epoch and peak RSS.
 *
 * Options: --backend auto|wasm|cpu|node|node-gpu|both (both: one run per backend, wasm then
 * node, in child processes, then a table side by side), --variant eran|eran-l1|eran-l2, --hidden 1024,256,32,
 * --lr, --alpha, --beta, --batch, --recon exact|sampled, --sampled-columns, --item-bias,
 * --epochs, --steps-per-epoch, --minutes (wall budget, default 10), --patience, --seed, --no-train, --json <file>;
 * dataset: --top-m, --min-support (network caps), synthetic --items, --users, --purchases min,max,
 * --scaled (the catalogue-scale world of bench:scale: scaledWorldOptions, default caps apply; the reference network
 * builder holds ~9 GiB at 100k items, hence the script's 16 GiB heap limit);
 * --cold-items 40: hold 40 items out with all their interactions and report eq. 14 min/max/mean Recall@K.
 * --own-validation: no bench validation; the trainer's own early stopping and refit (as `eran train`).
 * --scoring mixture: eran-plus (mixture scoring preset, its dense trainer; default hidden 256,32, lr 0.01);
 * the triplet-step profile is skipped for it (it has no triplet steps).
 */
import { spawnSync } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../src/model/adam';
import { initBackend, BackendPreference } from '../src/model/backend';
import { buildEranFor, encodeNewItem, EranModel, eranLoss, freezeEran, prepareBatch, PreparedBatch } from '../src/model/eran-model';
import { scoringPreset, type EranHyperParams } from '../src/model/options';
import { Rng } from '../src/model/rng';
import { audience, scoreUser } from '../src/model/scorer';
import { TripletSampler } from '../src/model/sampler';
import { matMul, segmentSum } from '../src/model/sparse-ops';
import { trainEran, trainStep } from '../src/model/trainer';
import { sampledRanking } from '../src/model/validation';
import { flagMap, flagNumber as num, flagString as str, log } from './args';
import { DatasetSpec, loadBenchDataset } from './eran-data';

function medianSeconds(reps: number, run: () => void): number {
  run();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
}

/** First layer forward + backward (gradient w.r.t. W1) on the batch rows: sparse plan vs dense U x N input. */
function firstLayerComparison(model: EranModel, batch: PreparedBatch): Array<{ kind: string; nnz: number; density: number; sparse: number; dense: number }> {
  const n = model.config.numItems;
  const u = batch.items.length;
  return model.autoencoders.map((ae, k) => {
    const plan = batch.kinds[k].encode;
    const dense = new Float32Array(u * n);
    for (let e = 0; e < plan.fwdIndices.length; e++) dense[plan.fwdSegments[e] * n + plan.fwdIndices[e]] = 1;
    const x = tf.tensor2d(dense, [u, n]);
    const upstream = tf.randomUniform([u, ae.input.w.shape[1]], 0, 1, 'float32', 1);
    const w = ae.input.w;
    const sparseGrad = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(segmentSum(ww as tf.Tensor2D, plan), upstream)));
    const denseGrad = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(matMul(x, ww as tf.Tensor2D), upstream)));
    // (Never return a typed array from tf.tidy: it walks every element looking for tensors.)
    const sparse = medianSeconds(5, () => tf.tidy(() => void sparseGrad(w).dataSync()));
    const denseT = medianSeconds(5, () => tf.tidy(() => void denseGrad(w).dataSync()));
    x.dispose();
    upstream.dispose();
    return { kind: ae.kind, nnz: plan.fwdIndices.length, density: plan.fwdIndices.length / (u * n), sparse, dense: denseT };
  });
}

/** Seconds of the phases of one training step on a fresh batch. */
function profileStep(model: EranModel, sampler: TripletSampler, networks: Parameters<typeof prepareBatch>[1], rng: Rng): Record<string, number> {
  const variables = model.trainableVariables();
  const optimizer = new Adam(variables, { learningRate: model.config.learningRate });
  const batchSize = model.config.batchSize;
  trainStep(model, optimizer, prepareBatch(model, networks, sampler.batch(0, batchSize), rng), variables);
  const t0 = process.hrtime.bigint();
  const batch = prepareBatch(model, networks, sampler.batch(batchSize, batchSize), rng);
  const t1 = process.hrtime.bigint();
  const { value, grads } = tf.variableGrads(() => eranLoss(model, batch).total, variables);
  value.dataSync();
  const t2 = process.hrtime.bigint();
  value.dispose();
  optimizer.apply(grads);
  variables[0].dataSync();
  const t3 = process.hrtime.bigint();
  optimizer.dispose();
  const s = (a: bigint, b: bigint): number => Number(b - a) / 1e9;
  return { prepareJs: s(t0, t1), forwardBackward: s(t1, t2), adam: s(t2, t3), uniqueItems: batch.items.length };
}

function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.length ?? null;
}

/** --backend both: the same run on wasm and on the native backend, one child process each. */
async function runBoth(argv: readonly string[]): Promise<void> {
  const rows: Array<Record<string, unknown>> = [];
  for (const backend of ['wasm', 'node']) {
    const json = path.join(os.tmpdir(), `eran-bench-train-${process.pid}-${backend}.json`);
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--backend' || argv[i] === '--json') i++;
      else rest.push(argv[i]);
    }
    log(`== --backend ${backend}`);
    const child = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), '--transpile-only', __filename, ...rest, '--backend', backend, '--json', json],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) {
      log(`--backend ${backend} failed (exit ${child.status})`);
      continue;
    }
    rows.push(JSON.parse(await fs.readFile(json, 'utf8')) as Record<string, unknown>);
    await fs.rm(json, { force: true });
  }
  const f = (v: unknown, digits: number): string => (typeof v === 'number' ? v.toFixed(digits) : '-');
  log('\n| backend | s/epoch | positives/s | epochs | best nDCG@10 | peak RSS GiB |');
  log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    log(
      `| ${String(r.backend)} | ${f(r.secondsPerEpoch, 1)} | ${f(r.tripletsPerSecond, 0)} | ${String(r.epochs ?? '-')} | ${f(r.bestNdcg10, 4)} | ${f(typeof r.peakRssBytes === 'number' ? r.peakRssBytes / 2 ** 30 : undefined, 2)} |`,
    );
  }
  if (rows.length === 2 && typeof rows[0].secondsPerEpoch === 'number' && typeof rows[1].secondsPerEpoch === 'number') {
    log(`native vs wasm: ${(rows[0].secondsPerEpoch / rows[1].secondsPerEpoch).toFixed(2)}x faster per epoch`);
  }
}

async function main(): Promise<void> {
  const args = flagMap(process.argv.slice(2));
  if (str(args, 'backend') === 'both') return runBoth(process.argv.slice(2));
  const seed = num(args, 'seed', 42);
  const backend = await initBackend({ prefer: (str(args, 'backend') ?? 'auto') as BackendPreference, log: (m) => log(m) });
  const csv = str(args, 'csv');
  const spec: DatasetSpec = csv
    ? { kind: 'csv', dir: csv }
    : args.has('synthetic')
      ? {
          kind: 'synthetic',
          users: num(args, 'users', 1500),
          items: num(args, 'items', 2000),
          purchasesPerUser: str(args, 'purchases') ? ((str(args, 'purchases') ?? '').split(',').map(Number) as [number, number]) : undefined,
          seed,
          scaled: args.has('scaled'),
        }
      : (() => {
          throw new Error('expected --csv <dir> or --synthetic');
        })();
  const data = await loadBenchDataset(
    spec,
    seed,
    {
      topM: str(args, 'top-m') ? num(args, 'top-m', 0) : undefined,
      minSupport: str(args, 'min-support') ? num(args, 'min-support', 1) : undefined,
    },
    num(args, 'cold-items', 0),
  );
  const g = data.graph;
  const n = g.itemIds.length;
  const positives = g.userItems.reduce((s, r) => s + r.length, 0);
  log(
    `dataset ${data.name}: ${n} items, ${g.userIds.length} users, ${positives} training positives, ${data.heldOut.filter((x) => x >= 0).length} held out (${data.heldOutByTimestamp} by timestamp); built in ${data.buildSeconds.toFixed(1)} s`,
  );
  for (const net of g.networks) {
    log(
      `  G_${net.kind}: ${net.indices.length / 2} edges, density ${(net.indices.length / (n * n)).toFixed(4)}, mean degree ${(net.indices.length / n).toFixed(1)}`,
    );
  }

  const mixture = str(args, 'scoring') === 'mixture';
  if (str(args, 'scoring') !== undefined && !mixture)
    throw new Error(`--scoring: expected mixture (or leave it out for the paper's), got ${str(args, 'scoring')}`);
  const hidden = (str(args, 'hidden') ?? (mixture ? '256,32' : '1024,256,32')).split(',').map(Number);
  const batchSize = num(args, 'batch', 2000);
  const unit = mixture ? 'positives' : 'triplets';
  const hyper: Partial<EranHyperParams> = mixture
    ? { ...scoringPreset('mixture'), hidden, learningRate: num(args, 'lr', 0.01), seed }
    : {
        variant: (str(args, 'variant') ?? 'eran') as EranHyperParams['variant'],
        hidden,
        learningRate: num(args, 'lr', 0.001),
        alpha: num(args, 'alpha', 1500),
        beta: num(args, 'beta', 0.2),
        batchSize,
        reconstruction: (str(args, 'recon') ?? 'exact') as EranHyperParams['reconstruction'],
        sampledColumns: num(args, 'sampled-columns', 256),
        itemBias: args.has('item-bias'),
        seed,
      };
  log(`model ${JSON.stringify({ ...hyper, hidden: hidden.join('-') })}`);
  const summary: Record<string, unknown> = {
    dataset: data.name,
    backend: backend.name,
    backendReason: backend.reason,
    items: n,
    users: g.userIds.length,
    trainingPositives: positives,
    edges: Object.fromEntries(g.networks.map((net) => [net.kind, net.indices.length / 2])),
    hyper: { ...hyper, hidden: hidden.join('-') },
  };
  if (!mixture) profileTripletSteps();

  function profileTripletSteps(): void {
    // Measurements run on a throwaway copy: the profiled step updates its weights.
    const probe = buildEranFor(g, hyper);

    const rng = new Rng(seed + 1);
    const sampler = new TripletSampler(g.userItems, n, rng);
    sampler.shuffle();
    const batch = prepareBatch(probe, g.networks, sampler.batch(0, probe.config.batchSize), rng);
    const layer = firstLayerComparison(probe, batch);
    const sparseTotal = layer.reduce((s, l) => s + l.sparse, 0);
    const denseTotal = layer.reduce((s, l) => s + l.dense, 0);
    log(`first layer, forward+backward on one batch (${batch.items.length} unique items x ${n}, width ${hidden[0]}):`);
    for (const l of layer) {
      log(
        `  ${l.kind}: nnz ${l.nnz} (density ${l.density.toFixed(4)}): sparse ${(l.sparse * 1000).toFixed(1)} ms, dense ${(l.dense * 1000).toFixed(1)} ms, ratio ${(l.dense / l.sparse).toFixed(1)}x`,
      );
    }
    log(
      `  all kinds: sparse ${(sparseTotal * 1000).toFixed(1)} ms, dense ${(denseTotal * 1000).toFixed(1)} ms, ratio ${(denseTotal / sparseTotal).toFixed(1)}x`,
    );
    const profile = profileStep(probe, sampler, g.networks, rng);
    probe.dispose();
    log(
      `one step: prepare (JS) ${(profile.prepareJs * 1000).toFixed(0)} ms, forward+backward ${(profile.forwardBackward * 1000).toFixed(0)} ms, Adam ${(profile.adam * 1000).toFixed(0)} ms, ${profile.uniqueItems} unique items`,
    );
    const stepsPerEpoch = Math.ceil(sampler.size / batchSize);
    const projectedEpoch = stepsPerEpoch * (profile.prepareJs + profile.forwardBackward + profile.adam);
    log(
      `projected: ${stepsPerEpoch} steps/epoch x ${(projectedEpoch / stepsPerEpoch).toFixed(2)} s = ${projectedEpoch.toFixed(0)} s/epoch, ${((stepsPerEpoch * batchSize) / projectedEpoch).toFixed(0)} triplets/s`,
    );
    Object.assign(summary, { firstLayer: layer, firstLayerRatio: denseTotal / sparseTotal, stepProfile: profile, projectedSecondsPerEpoch: projectedEpoch });
  }

  const model = buildEranFor(g, hyper);
  if (!args.has('no-train')) {
    const minutes = num(args, 'minutes', 10);
    const epochs = num(args, 'epochs', 1000);
    const started = Date.now();
    const cpuStart = process.cpuUsage();
    let bestAt = 0;
    let best = -1;
    let validationSeconds = 0;
    const validate = (m: EranModel, epoch: number): number => {
      const t0 = Date.now();
      const emb = freezeEran(m, g.networks);
      const r = sampledRanking(emb, g.userItems, data.heldOut, { negatives: 100, k: 10, seed: 7 });
      validationSeconds += (Date.now() - t0) / 1000;
      if (r.ndcg > best) {
        best = r.ndcg;
        bestAt = (Date.now() - started) / 1000;
      }
      log(
        `  epoch ${epoch} validation: nDCG@10 ${r.ndcg.toFixed(4)}, HR@10 ${r.hitRate.toFixed(4)} (${r.users} users), ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      return r.ndcg;
    };
    // --own-validation: the trainer's own early stopping (each user's latest purchase held out,
    // sampled users and candidates), as `eran train` runs it; the bench's 101-candidate validation
    // scores every user in plain TS, too slow for 50k users.
    const ownValidation = args.has('own-validation');
    if (!ownValidation) validate(model, 0);
    const result = await trainEran(
      model,
      g,
      {
        epochs,
        maxSeconds: minutes * 60,
        patience: num(args, 'patience', 3),
        ...(ownValidation ? {} : { validate }),
        seed,
        stepsPerEpoch: str(args, 'steps-per-epoch') ? num(args, 'steps-per-epoch', 1) : undefined,
      },
      (p) => {
        if (p.phase === 'epoch') {
          if (p.validation !== undefined && p.validation > best) {
            best = p.validation;
            bestAt = p.elapsedSeconds;
          }
          log(
            `epoch ${p.epoch}: L_net ${p.loss.net.toFixed(1)}, L_rank ${p.loss.rank.toFixed(2)}, total ${p.loss.total.toFixed(1)} | ${p.tripletsPerSecond.toFixed(0)} ${unit}/s, ${p.elapsedSeconds.toFixed(0)} s elapsed` +
              (ownValidation && p.validation !== undefined ? ` | held-out nDCG@10 ${p.validation.toFixed(4)}` : ''),
          );
        }
      },
    );
    const cpu = process.cpuUsage(cpuStart);
    // CPU seconds of this process: on a shared machine, wall time includes other jobs' load.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const trainEpochs = result.epochs;
    const meanEpoch = trainEpochs.reduce((s, e) => s + e.seconds, 0) / Math.max(1, trainEpochs.length);
    Object.assign(summary, {
      epochs: trainEpochs.length,
      stopReason: result.stopReason,
      bestEpoch: result.bestEpoch,
      bestNdcg10: result.bestValidation,
      secondsToBest: bestAt,
      trainSeconds: result.seconds,
      validationSeconds,
      secondsPerEpoch: meanEpoch,
      tripletsPerSecond: result.tripletsPerSecond,
      cpuSeconds,
      tripletsPerCpuSecond: trainEpochs.reduce((t, e) => t + e.tripletsPerSecond * e.seconds, 0) / Math.max(cpuSeconds - validationSeconds, 1e-9),
      history: trainEpochs.map((e) => ({ epoch: e.epoch, net: e.loss.net, rank: e.loss.rank, seconds: e.seconds, ndcg10: e.validation })),
    });
    log(`CPU time ${cpuSeconds.toFixed(0)} s for ${result.seconds.toFixed(0)} s wall (validation ${validationSeconds.toFixed(0)} s)`);
    if (result.phaseSeconds)
      log(
        `step phases (s, all steps): ${Object.entries(result.phaseSeconds)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}`,
      );
    log(
      `trained ${trainEpochs.length} epochs (${result.stopReason}): ${result.tripletsPerSecond.toFixed(0)} ${unit}/s, ${meanEpoch.toFixed(1)} s/epoch (+ validation), best nDCG@10 ${result.bestValidation?.toFixed(4)} at epoch ${result.bestEpoch}, reached after ${bestAt.toFixed(0)} s`,
    );
  }
  {
    // Serving cost of eq. 13 in plain TS: every item scored for one user.
    const emb = freezeEran(model, g.networks);
    // Every item for every measured user: linear in N per user (the API scores candidates only).
    const users = n > 20_000 ? 0 : Math.min(200, g.userIds.length);
    const t0 = process.hrtime.bigint();
    for (let u = 0; u < users; u++) scoreUser(emb, u, g.userItems[u]);
    const perUser = Number(process.hrtime.bigint() - t0) / 1e6 / users;
    summary.scoreUserMs = perUser;
    if (users > 0) log(`scoreUser (${mixture ? 'mixture' : 'eq. 13'}, all ${n} items, plain TS): ${perUser.toFixed(2)} ms per user`);
  }
  if (data.coldItems.length > 0) {
    // Cold-start protocol (paper 5.2): rank every user for each held-out item; Recall@K of its buyers.
    const emb = freezeEran(model, g.networks);
    const cuts = [10, 20, 50, 100];
    const cold: Record<string, Record<string, number>> = {};
    for (const aggregate of mixture ? (['min', 'max', 'mean', 'kernel'] as const) : (['min', 'max', 'mean'] as const)) {
      const recall = cuts.map(() => 0);
      for (const c of data.coldItems) {
        const codes = encodeNewItem(model, c.links);
        const ranked = audience(emb, codes, Math.max(...cuts), g.userItems, { aggregate }).map((s) => s.user);
        cuts.forEach((k, q) => {
          const top = new Set(ranked.slice(0, k));
          recall[q] += Array.from(c.buyers).filter((u) => top.has(u)).length / c.buyers.length / data.coldItems.length;
        });
      }
      cold[aggregate] = Object.fromEntries(cuts.map((k, q) => [`recall@${k}`, recall[q]]));
      log(`cold start (${data.coldItems.length} items, eq. 14 ${aggregate}): ${cuts.map((k, q) => `Recall@${k} ${recall[q].toFixed(4)}`).join(', ')}`);
    }
    const users = g.userIds.length;
    log(`  (random ranking: Recall@K = K / ${users})`);
    summary.coldStart = cold;
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  summary.peakRssBytes = peakRss;
  // The wasm heap only grows, so its size is the high-water mark (tfjs-wasm misbehaves above 2 GiB).
  const heap = wasmHeapBytes();
  summary.wasmHeapBytes = heap;
  log(
    `backend ${backend.name}` +
      (typeof summary.firstLayerRatio === 'number' ? ` | first layer sparse vs dense ${summary.firstLayerRatio.toFixed(1)}x` : '') +
      ` | peak RSS ${(peakRss / 2 ** 30).toFixed(2)} GiB` +
      (heap === null ? '' : ` | wasm heap ${(heap / 2 ** 30).toFixed(2)} GiB`),
  );
  const json = str(args, 'json');
  if (json) await fs.writeFile(json, JSON.stringify(summary, null, 1));
  model.dispose();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
