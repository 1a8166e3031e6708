import { LRUCache } from 'lru-cache';
import type { EranEmbeddings } from '../model/embeddings';
import { encodeNewItem, type EranModel } from '../model/eran-model';
import { addItemEmbedding, personalizeInto, squaredDistance } from '../model/personalize';
import { audience as modelAudience, scoreColdItem, type ColdAggregate } from '../model/scorer';
import { CandidateGenerator, type CandidateOptions } from './candidates/candidate-generator';
import { CodeIndex, type CodeIndexOptions } from './candidates/code-index';
import { NeighbourLists } from './candidates/neighbour-lists';
import type { ScoringFamily, UserScorer } from './scoring/scoring-family';
import { scoringFamilyOf } from './scoring/scoring-family-of';
import type { CatalogueSnapshot, EngineExplanation, RecommenderEngine, ScoredItem, ScoredUser, UserHistory } from './recommender-engine';

export interface EranEngineSource {
  readonly embeddings: EranEmbeddings;
  /** The tfjs model; needed only to encode cold-start items (null: addItem cannot encode). */
  readonly model: EranModel | null;
  /** Item index -> external id, as trained. */
  readonly itemIds: readonly string[];
  /** User index -> external id, as trained. */
  readonly userIds: readonly string[];
}

/**
 * `candidates` (serving): a few hundred candidates per user (candidates/), scored exactly;
 * `exact`: every item scored, for evaluation and for measuring what the candidates miss.
 */
export type ScoringPath = 'candidates' | 'exact';

export interface EranEngineOptions {
  /** eq. 14 aggregate for `audience` (default: the scoring family's). */
  readonly coldAggregate?: ColdAggregate;
  readonly scoringPath?: ScoringPath;
  readonly candidates?: CandidateOptions;
  readonly codeIndex?: CodeIndexOptions;
  /** Memory for cached per-user state and ranked candidates (default 64 MiB). */
  readonly userCacheBytes?: number;
}

/** A user's prepared scorer and, once computed, their candidates ranked by exact score. */
interface UserEntry {
  readonly version: number;
  readonly scorer: UserScorer;
  ranked: Ranked | null;
}

interface Ranked {
  /** Item indexes, best first (finite scores only). */
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

/** Candidates considered for similarItems around the item itself (besides its neighbours). */
const SIMILAR_POPULAR = 20;

/**
 * The RecommenderEngine over src/model: external ids <-> indexes, the scoring family chosen once
 * from the embeddings, candidates scored exactly, per-user state cached by history version, and
 * cold-start items appended to the served embeddings so that scoring, explanations, similarity and
 * audiences treat them as ordinary items.
 */
export class EranEngine implements RecommenderEngine {
  private emb: EranEmbeddings;
  private readonly family: ScoringFamily;
  private readonly ids: string[];
  private readonly index = new Map<string, number>();
  private readonly users = new Map<string, number>();
  private readonly trainedItems: number;
  private buffers: { codes: Float32Array[]; bias: Float32Array | null };
  private readonly entries: LRUCache<string, UserEntry>;
  private readonly coldAggregate: ColdAggregate;
  private readonly newItemBias: number;
  private readonly path: ScoringPath;
  private generator: CandidateGenerator | null = null;
  private everyItem: Int32Array | null = null;
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
    this.family = scoringFamilyOf(embeddings);
    this.model = source.model;
    this.ids = [...source.itemIds];
    this.ids.forEach((id, i) => this.index.set(id, i));
    source.userIds.forEach((id, u) => this.users.set(id, u));
    this.trainedItems = embeddings.numItems;
    this.buffers = { codes: [...embeddings.codes], bias: embeddings.itemBias };
    this.coldAggregate = options.coldAggregate ?? this.family.coldAggregate;
    this.newItemBias = this.family.newItemBias(embeddings);
    this.path = options.scoringPath ?? 'candidates';
    const d = embeddings.dim;
    const kinds = embeddings.kinds.length;
    this.entries = new LRUCache<string, UserEntry>({
      maxSize: options.userCacheBytes ?? 64 * 2 ** 20,
      // The scorer holds each purchase's vectors (per kind for the mixture), the ranking 8 bytes a candidate.
      sizeCalculation: (e) => 256 + e.scorer.items.length * (kinds + 1) * d * 8 + (e.ranked?.items.length ?? 0) * 8,
    });
  }

  get kinds(): readonly string[] {
    return this.emb.kinds;
  }

  get itemCount(): number {
    return this.emb.numItems;
  }

  get scoring(): ScoringFamily['scoring'] {
    return this.family.scoring;
  }

  hasItem(itemId: string): boolean {
    return this.index.has(itemId);
  }

  isLearnedUser(userId: string): boolean {
    return this.users.has(userId);
  }

  async activate(snapshot: CatalogueSnapshot | null | Promise<CatalogueSnapshot | null>): Promise<void> {
    const steps = CodeIndex.steps(this.emb, this.options.codeIndex);
    let built: CodeIndex | null = null;
    while (built === null) {
      const next = steps.next();
      if (next.done) built = next.value;
      // Activation may run while the previous model serves: give its requests the event loop.
      else await new Promise((resolve) => setImmediate(resolve));
    }
    this.generator = this.generatorFrom(built, await snapshot);
  }

  recommend(history: UserHistory, k: number, keep: (itemId: string) => boolean): ScoredItem[] {
    const entry = this.entry(history);
    if (entry.ranked === null) {
      entry.ranked = this.rank(entry.scorer);
      this.entries.set(history.userId, entry);
    }
    const { items, scores } = entry.ranked;
    const picked: Array<{ item: number; score: number }> = [];
    for (let c = 0; c < items.length && picked.length < k; c++) {
      if (keep(this.ids[items[c]!]!)) picked.push({ item: items[c]!, score: scores[c]! });
    }
    if (picked.length < k && this.path === 'candidates') picked.push(...this.widen(entry.scorer, items, k - picked.length, keep));
    return picked
      .sort((a, b) => b.score - a.score || a.item - b.item)
      .slice(0, k)
      .map(({ item, score }) => ({ itemId: this.ids[item]!, score }));
  }

  explain(history: UserHistory, itemIds: readonly string[], maxAnchors: number): EngineExplanation[] {
    const { scorer } = this.entry(history);
    const out: EngineExplanation[] = [];
    for (const itemId of itemIds) {
      const item = this.index.get(itemId);
      if (item === undefined) continue;
      const e = scorer.explain(item, maxAnchors);
      out.push({
        itemId,
        topKind: this.emb.kinds[e.kind]!,
        attention: this.emb.kinds.map((kind, k) => ({ kind, weight: e.attention[k]! })),
        anchors: e.anchors.map((a) => ({ itemId: this.ids[a.item]!, similarity: a.similarity })),
        adjacentFirst: e.adjacentFirst,
      });
    }
    return out;
  }

  /**
   * eq. 8 similarity to the item, under the user's attention (personalised) or with the kinds
   * averaged (plain), scored on the item's neighbourhood: its nearest items in code space, its
   * network links and the most popular items.
   */
  similarItems(itemId: string, history: UserHistory | null, k: number, keep: (itemId: string) => boolean): ScoredItem[] {
    const item = this.index.get(itemId);
    if (item === undefined) return [];
    const z = history === null ? null : this.entry(history).scorer.z;
    const d = this.emb.dim;
    const target = new Float64Array(d);
    const rep = new Float64Array(d);
    const att = new Float64Array(this.emb.kinds.length);
    const represent = (x: number, out: Float64Array): void => {
      if (z !== null) personalizeInto(this.emb, z, x, out, att);
      else plainRepresentation(this.emb, x, out);
    };
    represent(item, target);
    const score = (candidates: Int32Array): Array<{ item: number; score: number }> =>
      Array.from(candidates, (x) => {
        represent(x, rep);
        return { item: x, score: -squaredDistance(target, rep, d) };
      });
    const self = Int32Array.of(item);
    const candidates = this.path === 'exact' ? this.allItems().filter((x) => x !== item) : this.candidates().similarTo(item, SIMILAR_POPULAR);
    const picked = score(candidates).filter((s) => keep(this.ids[s.item]!));
    picked.sort((a, b) => b.score - a.score || a.item - b.item);
    if (picked.length < k && this.path === 'candidates') {
      const seen = new Set(candidates);
      const { popularityLength } = this.candidates();
      for (let from = 0; picked.length < k && from < popularityLength;) {
        const more = this.candidates().morePopular(self, from, 4 * k, (x) => keep(this.ids[x]!), seen);
        from = more.next;
        picked.push(...score(more.items));
      }
      picked.sort((a, b) => b.score - a.score || a.item - b.item);
    }
    return picked.slice(0, k).map((s) => ({ itemId: this.ids[s.item]!, score: s.score }));
  }

  audience(itemId: string, histories: Iterable<UserHistory>, k: number): ScoredUser[] {
    const item = this.index.get(itemId);
    if (item === undefined) return [];
    const learned: Int32Array[] = new Array<Int32Array>(this.emb.numUsers).fill(new Int32Array(0));
    const others: ScoredUser[] = [];
    for (const history of histories) {
      const u = this.users.get(history.userId);
      const items = this.indexes(history).items;
      if (u !== undefined) {
        learned[u] = Int32Array.from(new Set(items)).sort();
      } else if (items.length > 0 && !items.includes(item)) {
        const z = this.entry(history).scorer.z;
        const score = scoreColdItem(this.emb, z, items, item, this.coldAggregate);
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
    const links = this.emb.kinds.map((kind) => (neighboursPerKind.get(kind) ?? []).map((id) => this.index.get(id)).filter((i): i is number => i !== undefined));
    // The encoders' input is one column per TRAINED item: links to other cold items cannot be fed.
    const codes = encodeNewItem(
      this.model,
      links.map((row) => row.filter((i) => i < this.trainedItems)),
    );
    const item = this.append(itemId, codes);
    this.generator?.addItem(this.emb, item, links);
    return true;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }

  /** The user's candidates (or every item on the exact path), scored and sorted, best first. */
  private rank(scorer: UserScorer): Ranked {
    const candidates = this.path === 'exact' ? this.allItems() : this.candidates().generate(scorer);
    const scores = new Float32Array(candidates.length);
    scorer.scoreCandidates(candidates, scores);
    const order = Array.from(candidates.keys()).filter((c) => Number.isFinite(scores[c]!));
    order.sort((a, b) => scores[b]! - scores[a]! || candidates[a]! - candidates[b]!);
    return { items: Int32Array.from(order, (c) => candidates[c]!), scores: Float32Array.from(order, (c) => scores[c]!) };
  }

  /**
   * A filter left fewer than k of the user's candidates: score further items that pass it, in
   * popularity order, until enough are found or the catalogue is exhausted.
   */
  private widen(scorer: UserScorer, scored: Int32Array, missing: number, keep: (itemId: string) => boolean): Array<{ item: number; score: number }> {
    const generator = this.candidates();
    const seen = new Set(scored);
    const out: Array<{ item: number; score: number }> = [];
    for (let from = 0; out.length < missing && from < generator.popularityLength;) {
      const more = generator.morePopular(scorer.items, from, Math.max(4 * missing, 64), (x) => keep(this.ids[x]!), seen);
      from = more.next;
      const scores = new Float32Array(more.items.length);
      scorer.scoreCandidates(more.items, scores);
      more.items.forEach((x, c) => {
        if (Number.isFinite(scores[c]!)) out.push({ item: x, score: scores[c]! });
      });
    }
    return out;
  }

  private candidates(): CandidateGenerator {
    // Not activated (a test, a script): built at once from the embeddings alone.
    this.generator ??= this.generatorFrom(CodeIndex.build(this.emb, this.options.codeIndex), null);
    return this.generator;
  }

  private generatorFrom(codes: CodeIndex, snapshot: CatalogueSnapshot | null): CandidateGenerator {
    const n = this.emb.numItems;
    const networks = this.emb.kinds.map((kind) => {
      const links = snapshot?.links.get(kind);
      if (links === undefined) return null;
      const rows = Array.from({ length: n }, (_, i) =>
        (links.get(this.ids[i]!) ?? []).map((id) => this.index.get(id)).filter((j): j is number => j !== undefined),
      );
      return NeighbourLists.fromRows(rows);
    });
    // Without purchase counts, the model's own item bias is the best guess of popularity.
    const bias = this.emb.itemBias;
    const weight = (i: number): number => (snapshot !== null ? (snapshot.purchases.get(this.ids[i]!) ?? 0) : bias !== null ? bias[i]! : 0);
    const popularity = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => weight(b) - weight(a) || a - b);
    return new CandidateGenerator({ codes, networks, popularity }, n, this.options.candidates);
  }

  private allItems(): Int32Array {
    if (this.everyItem === null || this.everyItem.length !== this.emb.numItems) {
      this.everyItem = Int32Array.from({ length: this.emb.numItems }, (_, i) => i);
    }
    return this.everyItem;
  }

  private entry(history: UserHistory): UserEntry {
    const cached = this.entries.get(history.userId);
    if (cached !== undefined && cached.version === history.version) return cached;
    const { items, times } = this.indexes(history);
    const learned = this.users.get(history.userId) ?? null;
    const d = this.emb.dim;
    const z = learned !== null ? this.emb.users.slice(learned * d, (learned + 1) * d) : this.family.newUser(this.emb, Int32Array.from(new Set(items)).sort());
    const entry: UserEntry = { version: history.version, scorer: this.family.user(this.emb, z, items, times), ranked: null };
    this.entries.set(history.userId, entry);
    return entry;
  }

  /** R_u as item indexes with their positions (oldest first) as times: recency uses ranks only. */
  private indexes(history: UserHistory): { items: Int32Array; times: Float64Array } {
    const items: number[] = [];
    const times: number[] = [];
    history.purchased.forEach((id, p) => {
      const i = this.index.get(id);
      if (i !== undefined) {
        items.push(i);
        times.push(p);
      }
    });
    return { items: Int32Array.from(items), times: Float64Array.from(times) };
  }

  /** Appends a cold item's codes; buffers grow geometrically so that adding items stays cheap. */
  private append(itemId: string, codes: readonly Float32Array[]): number {
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
    // Histories may name the new item (bought before it was encoded), and every ranking lacks it:
    // recompute them lazily.
    this.entries.clear();
    return n;
  }
}

/** The kinds' codes averaged (uniform attention), plus e_x: similarity without a user. */
function plainRepresentation(emb: EranEmbeddings, x: number, out: Float64Array): void {
  const { dim: d, codes } = emb;
  out.fill(0);
  for (let k = 0; k < codes.length; k++) for (let t = 0; t < d; t++) out[t]! += codes[k]![x * d + t]! / codes.length;
  addItemEmbedding(emb, x, out);
}

function grow(array: Float32Array, length: number, used: number): Float32Array {
  const out = new Float32Array(length);
  out.set(array.subarray(0, used));
  return out;
}
