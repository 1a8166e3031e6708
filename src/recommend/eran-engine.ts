import type { EranEmbeddings } from '../model/embeddings';
import { encodeNewItem, type EranModel } from '../model/eran-model';
import { foldInUser, type FoldInOptions } from '../model/fold-in';
import { strongestContribution } from '../model/explain';
import { historyVectors, isMixture, mixtureBreakdown } from '../model/mixture-scoring';
import { kernelTau, personalizeInto, squaredDistance } from '../model/personalize';
import {
  audience as modelAudience,
  defaultAggregate,
  scoreColdItem,
  scoreUser,
  similarItems as modelSimilarItems,
  topK,
  type ColdAggregate,
  type UserRef,
  weightedHistory,
} from '../model/scorer';
import type {
  EngineExplanation,
  NeighbourCandidate,
  RecommenderEngine,
  ScoredItem,
  ScoredUser,
  UserHistory,
} from './recommender-engine';

export interface EranEngineSource {
  readonly embeddings: EranEmbeddings;
  /** The tfjs model; needed only to encode cold-start items (null: addItem cannot encode). */
  readonly model: EranModel | null;
  /** Item index -> external id, as trained. */
  readonly itemIds: readonly string[];
  /** User index -> external id, as trained. */
  readonly userIds: readonly string[];
}

export interface EranEngineOptions {
  /** eq. 14 aggregate for `audience` (default: the model core's measured default). */
  readonly coldAggregate?: ColdAggregate;
  readonly foldIn?: FoldInOptions;
  /** Memory for cached score vectors (default 64 MiB). */
  readonly scoreCacheBytes?: number;
}

interface UserState {
  readonly version: number;
  /** R_u as sorted unique item indexes (ids the engine does not know are left out). */
  readonly items: Int32Array;
  /** Per item of `items`: the position of its latest purchase in the history (oldest first), for recency weights. */
  readonly times: Float64Array;
  /** The learned index, or the fold-in vector of a user the model never saw. */
  readonly ref: number | Float32Array;
}

/**
 * The bias of an item added after training. Pairwise losses leave biases centred on 0, the neutral
 * value; the mixture model's likelihood is shift-invariant in the biases, so there the neutral value
 * is the median learned bias (a new item competes on its attribute kernels, neither pushed nor buried).
 */
export function newItemBias(emb: EranEmbeddings): number {
  if (emb.itemBias === null || emb.scoring !== 'mixture' || emb.itemBias.length === 0) return 0;
  const sorted = Float32Array.from(emb.itemBias).sort();
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The RecommenderEngine over src/model: external ids <-> indexes, per-user state cached by history
 * version, and cold-start items appended to the served embeddings so that every model function
 * (eq. 13 scoring, explain, eq. 8 similarity, eq. 14 audience) treats them as ordinary items.
 *
 * New users (no learned z_u) get the model core's fold-in (fold-in.ts: the mean learned embedding
 * refined by a few steps of the ranking loss on their purchases), cached until their history changes.
 */
export class EranEngine implements RecommenderEngine {
  private emb: EranEmbeddings;
  private readonly ids: string[];
  private readonly index = new Map<string, number>();
  private readonly users = new Map<string, number>();
  private readonly trainedItems: number;
  private buffers: { codes: Float32Array[]; bias: Float32Array | null };
  private states = new Map<string, UserState>();
  /**
   * eq. 13 score vectors of recently served users (one per user, N floats), least recently used
   * first: a user who comes back with the same history costs a copy instead of O(N K d) again.
   */
  private scores = new Map<string, { readonly version: number; readonly values: Float32Array }>();
  private readonly coldAggregate: ColdAggregate;
  private readonly newItemBias: number;
  private model: EranModel | null;

  constructor(
    source: EranEngineSource,
    private readonly options: EranEngineOptions = {},
  ) {
    const { embeddings } = source;
    if (source.itemIds.length !== embeddings.numItems || source.userIds.length !== embeddings.numUsers) {
      throw new Error(
        `EranEngine: expected ${embeddings.numItems} item ids and ${embeddings.numUsers} user ids, ` +
          `got ${source.itemIds.length} and ${source.userIds.length}`,
      );
    }
    this.emb = embeddings;
    this.model = source.model;
    this.ids = [...source.itemIds];
    this.ids.forEach((id, i) => this.index.set(id, i));
    source.userIds.forEach((id, u) => this.users.set(id, u));
    this.trainedItems = embeddings.numItems;
    this.buffers = { codes: [...embeddings.codes], bias: embeddings.itemBias };
    // The measured best eq. 14 aggregate of this kind of model (kernel for eran-plus: cold-start
    // Recall@50 0.268 vs max 0.083 on ml100k-cast).
    this.coldAggregate = options.coldAggregate ?? defaultAggregate(embeddings);
    this.newItemBias = newItemBias(embeddings);
  }

  get kinds(): readonly string[] {
    return this.emb.kinds;
  }

  get itemCount(): number {
    return this.emb.numItems;
  }

  hasItem(itemId: string): boolean {
    return this.index.has(itemId);
  }

  isLearnedUser(userId: string): boolean {
    return this.users.has(userId);
  }

  recommend(history: UserHistory, k: number, keep: (itemId: string) => boolean): ScoredItem[] {
    const scores = this.scoresOf(history).slice();
    for (let i = 0; i < scores.length; i++) if (scores[i] !== -Infinity && !keep(this.ids[i]!)) scores[i] = -Infinity;
    return topK(scores, k).map(({ index, score }) => ({ itemId: this.ids[index]!, score }));
  }

  explain(history: UserHistory, itemIds: readonly string[], maxCandidates: number): EngineExplanation[] {
    const state = this.state(history);
    const out: EngineExplanation[] = [];
    for (const itemId of itemIds) {
      const item = this.index.get(itemId);
      if (item === undefined) continue;
      out.push({ itemId, ...this.explainItem(state, item, maxCandidates) });
    }
    return out;
  }

  similarItems(itemId: string, history: UserHistory | null, k: number, keep: (itemId: string) => boolean): ScoredItem[] {
    const item = this.index.get(itemId);
    if (item === undefined) return [];
    const ref = history === null ? undefined : this.state(history).ref;
    // The model ranks all items; filtering afterwards keeps `keep` out of the model's API.
    const ranked = modelSimilarItems(this.emb, item, this.emb.numItems, ref);
    const out: ScoredItem[] = [];
    for (const r of ranked) {
      const id = this.ids[r.item]!;
      if (!keep(id)) continue;
      out.push({ itemId: id, score: r.score });
      if (out.length === k) break;
    }
    return out;
  }

  audience(itemId: string, histories: Iterable<UserHistory>, k: number): ScoredUser[] {
    const item = this.index.get(itemId);
    if (item === undefined) return [];
    const learned: Int32Array[] = new Array<Int32Array>(this.emb.numUsers).fill(new Int32Array(0));
    const others: ScoredUser[] = [];
    for (const history of histories) {
      const state = this.state(history);
      if (typeof state.ref === 'number') {
        learned[state.ref] = state.items;
      } else if (state.items.length > 0 && !state.items.includes(item)) {
        const score = scoreColdItem(this.emb, state.ref, state.items, item, this.coldAggregate);
        if (Number.isFinite(score)) others.push({ userId: history.userId, score });
      }
    }
    const userIds = [...this.users.keys()];
    const ranked = modelAudience(this.emb, item, k, learned, { aggregate: this.coldAggregate }).map((s) => ({
      userId: userIds[s.user]!,
      score: s.score,
    }));
    return [...ranked, ...others].sort((a, b) => b.score - a.score || (a.userId < b.userId ? -1 : 1)).slice(0, k);
  }

  encodeNewItem(itemId: string, neighboursPerKind: ReadonlyMap<string, readonly string[]>): boolean {
    if (this.index.has(itemId)) return false;
    if (this.model === null) throw new Error('EranEngine: this model was loaded without its encoders; cannot encode a new item');
    // The encoders' input is one column per TRAINED item: links to other cold items cannot be fed.
    const rows = this.emb.kinds.map((kind) =>
      (neighboursPerKind.get(kind) ?? []).map((id) => this.index.get(id)).filter((i): i is number => i !== undefined && i < this.trainedItems),
    );
    this.append(itemId, encodeNewItem(this.model, rows));
    return true;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }

  /**
   * k* and a~_{u,i} as the model core's explain() computes them (same primitive, personalizeInto),
   * plus the purchases ranked by sim_u(i, j), best first: explain() keeps only the best one, while
   * j* is chosen among several in the graph. One pass over R_u instead of two per item.
   */
  private explainItem(state: UserState, item: number, max: number): Omit<EngineExplanation, 'itemId'> {
    if (isMixture(this.emb)) return this.explainMixtureItem(state, item, max);
    const d = this.emb.dim;
    const z = typeof state.ref === 'number' ? this.emb.users.subarray(state.ref * d, (state.ref + 1) * d) : state.ref;
    const hi = new Float64Array(d);
    const hj = new Float64Array(d);
    const att = new Float64Array(this.emb.kinds.length);
    const scratch = new Float64Array(this.emb.kinds.length);
    personalizeInto(this.emb, z, item, hi, att);
    let top = 0;
    for (let k = 1; k < att.length; k++) if (att[k]! > att[top]!) top = k;
    const ranked: NeighbourCandidate[] = [];
    for (const j of state.items) {
      if (j === item) continue;
      personalizeInto(this.emb, z, j, hj, scratch);
      ranked.push({ itemId: this.ids[j]!, similarity: -squaredDistance(hi, hj, d) });
    }
    return {
      topKind: this.emb.kinds[top]!,
      attention: this.emb.kinds.map((kind, k) => ({ kind, weight: att[k]! })),
      candidates: ranked.sort((a, b) => b.similarity - a.similarity).slice(0, max),
    };
  }

  /**
   * Mixture scoring, as explain() decides: j* is the purchase with the largest contribution to the
   * score and k* the kind through which it contributes most; the candidates are the purchases
   * ranked by contribution (j* first), `similarity` their kernel similarity in k*.
   */
  private explainMixtureItem(state: UserState, item: number, max: number): Omit<EngineExplanation, 'itemId'> {
    const d = this.emb.dim;
    const z = typeof state.ref === 'number' ? this.emb.users.subarray(state.ref * d, (state.ref + 1) * d) : state.ref;
    const { items, weights } = weightedHistory(this.emb, state.items, state.times);
    const parts = mixtureBreakdown(this.emb, z, items, weights, historyVectors(this.emb, items), item);
    const { kind: top, contributions } = strongestContribution(parts);
    const terms = parts.terms[top]!;
    const tau = kernelTau(this.emb);
    const ranked = Array.from(items.keys())
      .filter((p) => items[p] !== item && contributions[p]! > 0)
      .sort((a, b) => contributions[b]! - contributions[a]!)
      .slice(0, max)
      .map((p) => ({ itemId: this.ids[items[p]!]!, similarity: terms[p]! > 0 ? tau * Math.log(terms[p]! / weights[p]!) : -Infinity }));
    return {
      topKind: this.emb.kinds[top]!,
      attention: this.emb.kinds.map((kind, k) => ({ kind, weight: parts.attention[k]! })),
      candidates: ranked,
    };
  }

  private scoresOf(history: UserHistory): Float32Array {
    const cached = this.scores.get(history.userId);
    if (cached !== undefined && cached.version === history.version) {
      this.scores.delete(history.userId);
      this.scores.set(history.userId, cached);
      return cached.values;
    }
    const state = this.state(history);
    const values = scoreUser(this.emb, state.ref, state.items, { times: state.times });
    this.scores.delete(history.userId);
    this.scores.set(history.userId, { version: history.version, values });
    const capacity = Math.max(1, Math.floor((this.options.scoreCacheBytes ?? 64 * 2 ** 20) / (4 * this.emb.numItems)));
    while (this.scores.size > capacity) this.scores.delete(this.scores.keys().next().value as string);
    return values;
  }

  private state(history: UserHistory): UserState {
    const cached = this.states.get(history.userId);
    if (cached !== undefined && cached.version === history.version) return cached;
    // `purchased` is oldest first: an item's position stands for its time (recency uses ranks only).
    const position = new Map<number, number>();
    history.purchased.forEach((id, p) => {
      const i = this.index.get(id);
      if (i !== undefined) position.set(i, p);
    });
    const items = Int32Array.from(position.keys()).sort();
    const times = Float64Array.from(items, (i) => position.get(i)!);
    const learned = this.users.get(history.userId);
    const ref: UserRef = learned ?? foldInUser(this.emb, items, this.options.foldIn);
    const state: UserState = { version: history.version, items, times, ref };
    this.states.set(history.userId, state);
    return state;
  }

  /** Appends a cold item's codes; buffers grow geometrically so that adding items stays cheap. */
  private append(itemId: string, codes: readonly Float32Array[]): void {
    const n = this.emb.numItems;
    const d = this.emb.dim;
    if ((n + 1) * d > this.buffers.codes[0]!.length) {
      const capacity = Math.max(n + 16, Math.ceil(n * 1.25));
      this.buffers = {
        codes: this.buffers.codes.map((b) => grow(b, capacity * d, n * d)),
        bias: this.buffers.bias === null ? null : grow(this.buffers.bias, capacity, n),
      };
    }
    this.buffers.codes.forEach((b, k) => b.set(codes[k]!, n * d));
    if (this.buffers.bias !== null) this.buffers.bias[n] = this.newItemBias;
    this.emb = {
      ...this.emb,
      numItems: n + 1,
      codes: this.buffers.codes.map((b) => b.subarray(0, (n + 1) * d)),
      itemBias: this.buffers.bias === null ? null : this.buffers.bias.subarray(0, n + 1),
    };
    this.ids.push(itemId);
    this.index.set(itemId, n);
    // Histories may name the new item (bought before it was encoded), and every score vector
    // lacks it: recompute them lazily.
    this.states = new Map();
    this.scores = new Map();
  }
}

function grow(array: Float32Array, length: number, used: number): Float32Array {
  const out = new Float32Array(length);
  out.set(array.subarray(0, used));
  return out;
}
