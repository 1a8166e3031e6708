import { buildEranFor, encodeNewItem, freezeEran, type EranModel } from '../model/eran-model';
import { recommend as modelRecommend } from '../model/scorer';
import { explain as modelExplain } from '../model/explain';
import { scoringPreset } from '../model/options';
import { plantedGraph } from '../model/testing/planted-graph';
import { useTestBackend } from '../model/testing/use-test-backend';
import { EranEngine } from './eran-engine';
import { MIXTURE_FAMILY } from './scoring/mixture-family';
import type { CatalogueSnapshot, UserHistory } from './recommender-engine';
import { scoringFamilyOf } from './scoring/scoring-family-of';
import { CodeIndex } from './candidates/code-index';
import { randomEmbeddings } from './testing/random-embeddings';
import { Rng } from '../model/rng';

/** The adapter over src/model: ids <-> indexes, cached per-user state, cold items appended. */
describe('EranEngine', () => {
  const planted = plantedGraph({ numItems: 60, numUsers: 30, seed: 5 });
  const { data } = planted;
  let model: EranModel;
  let engine: EranEngine;
  const itemId = (i: number): string => data.itemIds[i]!;
  const historyOf = (u: number, version = 1): UserHistory => ({
    userId: data.userIds[u]!,
    purchased: Array.from(data.userItems[u]!, itemId),
    version,
  });

  beforeAll(async () => {
    await useTestBackend();
  });

  beforeEach(() => {
    model = buildEranFor(data, { hidden: [8, 4], seed: 2, userInitStd: 0.5 });
    // The exact path: these tests compare with the model core, which scores every item.
    engine = new EranEngine({ embeddings: freezeEran(model, data.networks), model, itemIds: data.itemIds, userIds: data.userIds }, { scoringPath: 'exact' });
  });

  afterEach(() => engine.dispose());

  it('ranks like the model core scorer, leaving out the history and what `keep` refuses', () => {
    const emb = freezeEran(model, data.networks);
    const expected = modelRecommend(emb, 3, data.userItems[3]!, 5).map((s) => itemId(s.item));
    const got = engine.recommend(historyOf(3), 5, () => true);
    expect(got.map((s) => s.itemId)).toEqual(expected);
    const refused = new Set(expected.slice(0, 2));
    const filtered = engine.recommend(historyOf(3), 5, (id) => !refused.has(id)).map((s) => s.itemId);
    expect(filtered.some((id) => refused.has(id))).toBe(false);
    expect(filtered.slice(0, 3)).toEqual(expected.slice(2));
  });

  it('serves repeated requests from cached scores, recomputed when the history version changes', () => {
    const tiny = new EranEngine(
      { embeddings: freezeEran(model, data.networks), model: null, itemIds: data.itemIds, userIds: data.userIds },
      { userCacheBytes: 1 },
    );
    const first = engine.recommend(historyOf(3), 5, () => true);
    expect(engine.recommend(historyOf(3), 5, () => true)).toEqual(first);
    expect(tiny.recommend(historyOf(3), 5, () => true)).toEqual(first);
    tiny.recommend(historyOf(4), 5, () => true);
    expect(tiny.recommend(historyOf(3), 5, () => true)).toEqual(first);
    const grown = { ...historyOf(3, 2), purchased: [...historyOf(3).purchased, first[0]!.itemId] };
    expect(engine.recommend(grown, 5, () => true).map((s) => s.itemId)).not.toContain(first[0]!.itemId);
  });

  it('explains with k*, attention summing to 1 and anchors ranked by similarity among the purchases', () => {
    const [target] = engine.recommend(historyOf(4), 1, () => true);
    const [e] = engine.explain(historyOf(4), [target!.itemId, 'unknown'], 3);
    expect(e!.attention.reduce((s, a) => s + a.weight, 0)).toBeCloseTo(1, 6);
    expect(e!.topKind).toBe([...e!.attention].sort((a, b) => b.weight - a.weight)[0]!.kind);
    expect(e!.anchors).toHaveLength(3);
    // The same k*, attention and best anchor as the model core's explain().
    const reference = modelExplain(freezeEran(model, data.networks), 4, data.userItems[4]!, data.itemIds.indexOf(target!.itemId));
    expect(e!.topKind).toBe(reference.kind);
    e!.attention.forEach((a, k) => expect(a.weight).toBeCloseTo(reference.attention[k]!.weight, 10));
    expect(e!.anchors[0]!.itemId).toBe(itemId(reference.anchor!));
    expect(e!.anchors[0]!.similarity).toBeCloseTo(reference.anchorSimilarity!, 8);
    const purchased = new Set(historyOf(4).purchased);
    for (const c of e!.anchors) expect(purchased.has(c.itemId)).toBe(true);
    for (let i = 1; i < 3; i++) expect(e!.anchors[i]!.similarity).toBeLessThanOrEqual(e!.anchors[i - 1]!.similarity);
  });

  it('folds in a user it never learned, recomputed only when the history version changes', () => {
    const stranger: UserHistory = { userId: 'stranger', purchased: historyOf(6).purchased, version: 1 };
    expect(engine.isLearnedUser('stranger')).toBe(false);
    const first = engine.recommend(stranger, 5, () => true);
    expect(first).toHaveLength(5);
    expect(engine.recommend(stranger, 5, () => true)).toEqual(first);
    const grown = { ...stranger, purchased: [...stranger.purchased, first[0]!.itemId], version: 2 };
    expect(engine.recommend(grown, 5, () => true).map((s) => s.itemId)).not.toContain(first[0]!.itemId);
  });

  it("appends a cold-start item with the encoders' codes and makes it scorable everywhere", () => {
    const neighbours = new Map([
      ['actor', [itemId(1), itemId(2)]],
      ['director', [itemId(3)]],
      ['genre', ['no-such-item']],
    ]);
    expect(engine.encodeNewItem('cold', neighbours)).toBe(true);
    expect(engine.encodeNewItem('cold', neighbours)).toBe(false);
    expect(engine.hasItem('cold')).toBe(true);
    expect(engine.itemCount).toBe(data.itemIds.length + 1);
    const [e] = engine.explain(historyOf(0), ['cold'], 1);
    expect(e!.itemId).toBe('cold');
    const all = engine.recommend(historyOf(0), engine.itemCount, () => true).map((s) => s.itemId);
    expect(all).toContain('cold');
    const histories = data.userIds.map((_, u) => historyOf(u));
    expect(engine.audience('cold', histories, 5)).toHaveLength(5);
    expect(engine.similarItems('cold', null, 3, () => true)).toHaveLength(3);
  });

  it("encodes a new item with exactly an existing item's links into that item's codes", () => {
    const twinOf = 7;
    const links = new Map(data.networks.map((net) => [net.kind, Array.from(net.indices.subarray(net.indptr[twinOf]!, net.indptr[twinOf + 1]!), itemId)]));
    engine.encodeNewItem('twin', links);
    const [nearest] = engine.similarItems('twin', null, 1, (id) => id !== 'twin');
    expect(nearest!.itemId).toBe(itemId(twinOf));
    expect(nearest!.score).toBeCloseTo(0, 5);
    expect(
      encodeNewItem(
        model,
        data.networks.map((net) => net.indices.subarray(net.indptr[twinOf]!, net.indptr[twinOf + 1]!)),
      ),
    ).toHaveLength(3);
  });

  it("ranks an audience over learned and new users, without the item's owners", () => {
    const item = historyOf(0).purchased[0]!;
    const strangerItems = historyOf(1).purchased.filter((id) => id !== item);
    const histories = [...data.userIds.map((_, u) => historyOf(u)), { userId: 'stranger', purchased: strangerItems, version: 1 }];
    const ranked = engine.audience(item, histories, data.userIds.length + 1);
    const owners = new Set(histories.filter((h) => h.purchased.includes(item)).map((h) => h.userId));
    expect(ranked.some((r) => owners.has(r.userId))).toBe(false);
    expect(ranked.map((r) => r.userId)).toContain('stranger');
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.score).toBeLessThanOrEqual(ranked[i - 1]!.score);
  });
});

describe('EranEngine with a mixture (eran-plus) model', () => {
  const planted = plantedGraph({ numItems: 60, numUsers: 30, seed: 6 });
  const { data } = planted;
  const itemId = (i: number): string => data.itemIds[i]!;

  beforeAll(async () => {
    await useTestBackend();
  });

  it("serves the model core's mixture ranking with recency by history order, explains with the top contribution, and gives new items the median bias", () => {
    const model = buildEranFor(data, { ...scoringPreset('mixture'), hidden: [8, 4], seed: 2 });
    const emb = freezeEran(model, data.networks);
    expect(emb.scoring).toBe('mixture');
    const engine = new EranEngine({ embeddings: emb, model, itemIds: data.itemIds, userIds: data.userIds });
    try {
      const items = data.userItems[4]!;
      // Oldest first: the engine weighs by position; the core by the same ranks given as times.
      const history: UserHistory = { userId: data.userIds[4]!, purchased: Array.from(items, itemId), version: 1 };
      const times = Array.from(items, (_, p) => p);
      const expected = modelRecommend(emb, 4, items, 5, { times }).map((s) => itemId(s.item));
      expect(engine.recommend(history, 5, () => true).map((s) => s.itemId)).toEqual(expected);
      const [explained] = engine.explain(history, [expected[0]!], 3);
      const core = modelExplain(emb, 4, items, data.itemIds.indexOf(expected[0]!), { times });
      expect(explained!.topKind).toBe(core.kind);
      expect(explained!.anchors[0]!.itemId).toBe(itemId(core.anchor!));

      const neighbours = new Map(emb.kinds.map((k) => [k, [itemId(0), itemId(1)]] as const));
      expect(engine.encodeNewItem('brand-new', neighbours)).toBe(true);
      const recs = engine.recommend(history, data.itemIds.length + 1, () => true);
      expect(recs.some((r) => r.itemId === 'brand-new')).toBe(true);
      // The mixture's biases are shift-free: a new item gets the median, not 0.
      const shifted = { ...emb, itemBias: Float32Array.from(emb.itemBias!, (_, i) => -5 - i) };
      // 60 items with biases -5 .. -64: ascending, index 30 is -34.
      expect(emb.itemBias!.length).toBe(60);
      expect(MIXTURE_FAMILY.newItemBias(shifted)).toBe(-34);
      expect(scoringFamilyOf({ ...shifted, scoring: 'paper' }).newItemBias({ ...shifted, scoring: 'paper' })).toBe(0);
    } finally {
      engine.dispose();
    }
  });
});

/** The serving path: candidates (code space, network links, popularity), then exact scores. */
describe('EranEngine on the candidate path', () => {
  const emb = randomEmbeddings({ numItems: 1500, numUsers: 40, dim: 6, clusters: 30, scoring: 'mixture', recencyHalfLife: 5, seed: 12 });
  const itemIds = Array.from({ length: emb.numItems }, (_, i) => `i${i}`);
  const userIds = Array.from({ length: emb.numUsers }, (_, u) => `u${u}`);
  const rng = new Rng(3);
  // Histories of 15-40 items drawn from two favourite clusters of the actor codes' neighbourhoods.
  const histories: UserHistory[] = userIds.map((userId) => {
    const seeds = [rng.int(emb.numItems), rng.int(emb.numItems)];
    const near = CodeIndex.build(emb, { neighbours: 30 });
    const items = new Set<number>();
    const size = 15 + rng.int(26);
    while (items.size < size) {
      const s = seeds[rng.int(2)]!;
      const pool = near.neighbours(rng.int(3), s);
      items.add(rng.next() < 0.8 ? pool[rng.int(pool.length)]! : rng.int(emb.numItems));
    }
    return { userId, purchased: [...items].map((i) => itemIds[i]!), version: 1 };
  });
  const source = { embeddings: emb, model: null, itemIds, userIds };

  it('scores only a few hundred candidates, with the exact scores, and agrees with the exact path at the top', () => {
    const exact = new EranEngine(source, { scoringPath: 'exact' });
    const served = new EranEngine(source);
    let overlap = 0;
    for (const h of histories) {
      const truth = exact.recommend(h, 10, () => true);
      const exactScore = new Map(exact.recommend(h, emb.numItems, () => true).map((s) => [s.itemId, s.score]));
      const got = served.recommend(h, 10, () => true);
      expect(got).toHaveLength(10);
      for (const s of got) expect(s.score).toBeCloseTo(exactScore.get(s.itemId)!, 5);
      for (const s of got) expect(h.purchased).not.toContain(s.itemId);
      const top = new Set(truth.map((s) => s.itemId));
      overlap += got.filter((s) => top.has(s.itemId)).length / 10;
    }
    expect(overlap / histories.length).toBeGreaterThan(0.9);
  });

  it('fills k from further down the popularity order when a filter refuses every candidate', () => {
    const served = new EranEngine(source);
    const h = histories[0]!;
    const usual = new Set(
      served
        .recommend(h, 300, () => true)
        .slice(0, 200)
        .map((s) => s.itemId),
    );
    const keep = (id: string): boolean => !usual.has(id) && Number(id.slice(1)) % 3 === 0;
    const got = served.recommend(h, 10, keep);
    expect(got).toHaveLength(10);
    for (const s of got) expect(keep(s.itemId)).toBe(true);
    for (let i = 1; i < got.length; i++) expect(got[i]!.score).toBeLessThanOrEqual(got[i - 1]!.score);
  });

  it('reads network links and purchase counts from the activation snapshot', async () => {
    const served = new EranEngine(source, { candidates: { codeNeighbours: 0, popular: 1, networkNeighbours: 2 } });
    const h: UserHistory = { userId: 'u1', purchased: ['i7'], version: 1 };
    await served.activate({
      purchases: new Map([
        ['i900', 50],
        ['i3', 2],
      ]),
      links: new Map([['actor', new Map([['i7', ['i1200', 'i1300', 'i1400']]])]]),
    });
    // Candidates: i7's two strongest actor links and the most purchased item, nothing else.
    expect(new Set(served.recommend(h, 3, () => true).map((s) => s.itemId))).toEqual(new Set(['i1200', 'i1300', 'i900']));
  });

  it('takes a snapshot still being read, and uses it once it arrives', async () => {
    const served = new EranEngine(source, { candidates: { codeNeighbours: 0, popular: 1, networkNeighbours: 2 } });
    const h: UserHistory = { userId: 'u1', purchased: ['i7'], version: 1 };
    let arrive: (value: CatalogueSnapshot) => void = () => undefined;
    const pending = new Promise<CatalogueSnapshot>((resolve) => (arrive = resolve));
    const activated = served.activate(pending);
    setTimeout(() => arrive({ purchases: new Map([['i900', 50]]), links: new Map([['actor', new Map([['i7', ['i1200', 'i1300']]])]]) }), 10);
    await activated;
    expect(new Set(served.recommend(h, 3, () => true).map((s) => s.itemId))).toEqual(new Set(['i1200', 'i1300', 'i900']));
  });

  it("finds similar items among the item's neighbours in code space", () => {
    const exact = new EranEngine(source, { scoringPath: 'exact' });
    const served = new EranEngine(source);
    let overlap = 0;
    for (const item of ['i5', 'i600', 'i1499']) {
      const truth = new Set(exact.similarItems(item, null, 5, (id) => id !== item).map((s) => s.itemId));
      overlap += served.similarItems(item, null, 5, (id) => id !== item).filter((s) => truth.has(s.itemId)).length / 5;
    }
    expect(overlap / 3).toBeGreaterThan(0.8);
  });
});
