/**
 * Candidates for one user: the few hundred items worth scoring exactly, gathered without touching
 * the rest of the catalogue. Three sources, unioned:
 * - code space: the nearest items (per attribute kind) of the user's most recent purchases, from
 *   the index built when the model was activated (code-index.ts). Every scoring rule rewards an
 *   item close to the purchases, and recency weights make the latest ones count most;
 * - the attribute networks: each recent purchase's strongest co-purchase links per kind, from a
 *   snapshot taken at activation (items linked later by addItem are added as they come);
 * - popularity: the most bought items, a floor for users whose purchases have few neighbours
 *   (and the terms of the score that do not depend on the history, such as an item's bias).
 * The user's own purchases are never candidates.
 */
import type { EranEmbeddings } from '../../model/embeddings';
import { containsSorted } from '../../common/sorted-search';
import type { CodeIndex } from './code-index';
import type { NeighbourLists } from './neighbour-lists';

export interface CandidateOptions {
  /** The most recent purchases candidates are gathered around (default 20). */
  readonly recentPurchases?: number;
  /** Nearest items in code space taken per recent purchase and kind (default 10). */
  readonly codeNeighbours?: number;
  /** Strongest network links taken per recent purchase and kind (default 5). */
  readonly networkNeighbours?: number;
  /** The most popular items, always candidates (default 50). */
  readonly popular?: number;
}

export const DEFAULT_CANDIDATE_OPTIONS: Required<CandidateOptions> = {
  recentPurchases: 20,
  codeNeighbours: 10,
  networkNeighbours: 5,
  popular: 50,
};

export interface CandidateSources {
  readonly codes: CodeIndex;
  /** Per model kind, the strongest links of that attribute network; null where none was read. */
  readonly networks: ReadonlyArray<NeighbourLists | null>;
  /** Item indexes, most popular first (need not cover every item). */
  readonly popularity: Int32Array;
}

/** What the generator needs of a user (a UserScorer has it). */
export interface CandidateSeed {
  /** R_u, sorted ascending: never candidates. */
  readonly items: Int32Array;
  /** R_u, most recent first. */
  readonly recent: Int32Array;
}

export class CandidateGenerator {
  private readonly options: Required<CandidateOptions>;
  /** Per item, the request that last took it: dedupes without clearing an N-sized array per request. */
  private seen: Int32Array;
  private request = 0;
  /** The popularity order, with items appended after activation at the end (no purchases yet). */
  private readonly popularity: number[];

  constructor(
    private readonly sources: CandidateSources,
    numItems: number,
    options: CandidateOptions = {},
  ) {
    this.options = { ...DEFAULT_CANDIDATE_OPTIONS, ...options };
    this.seen = new Int32Array(numItems);
    this.popularity = Array.from(sources.popularity);
  }

  generate(user: CandidateSeed): Int32Array {
    const { recentPurchases, popular } = this.options;
    return this.around(user.recent.subarray(0, recentPurchases), user.items, popular);
  }

  /**
   * The neighbours of `seeds` (code space and networks, every kind) and the `popular` most popular
   * items, without the items of `exclude` (sorted ascending).
   */
  around(seeds: ArrayLike<number>, exclude: Int32Array, popular: number): Int32Array {
    const { codeNeighbours, networkNeighbours } = this.options;
    const out: number[] = [];
    const take = this.taker(exclude, out);
    const { codes, networks } = this.sources;
    const { popularity } = this;
    for (let s = 0; s < seeds.length; s++) {
      const j = seeds[s]!;
      for (let k = 0; k < networks.length; k++) {
        codes.forEachNeighbour(k, j, codeNeighbours, take);
        networks[k]?.forEach(j, networkNeighbours, take);
      }
    }
    for (let p = 0; p < Math.min(popular, popularity.length); p++) take(popularity[p]!);
    return Int32Array.from(out);
  }

  /**
   * Candidates for items similar to `item`: its neighbours in the plain space (kinds averaged) and
   * in each kind, its network links and the `popular` most popular items.
   */
  similarTo(item: number, popular: number): Int32Array {
    const { codeNeighbours, networkNeighbours } = this.options;
    const self = Int32Array.of(item);
    const out: number[] = [];
    const take = this.taker(self, out);
    const { codes, networks } = this.sources;
    codes.forEachNeighbour(codes.plainSpace, item, Infinity, take);
    for (let k = 0; k < networks.length; k++) {
      codes.forEachNeighbour(k, item, codeNeighbours, take);
      networks[k]?.forEach(item, networkNeighbours, take);
    }
    for (let p = 0; p < Math.min(popular, this.popularity.length); p++) take(this.popularity[p]!);
    return Int32Array.from(out);
  }

  /** Positions in the popularity order: how far `morePopular` can go. */
  get popularityLength(): number {
    return this.popularity.length;
  }

  /**
   * Items beyond the candidates, in popularity order from position `from`, that `keep` accepts and
   * neither `skip` (the candidates already scored) nor `exclude` (sorted) holds, at most `limit`:
   * for requests whose filters leave fewer than k candidates. Returns them and where the scan
   * stopped. The scan reads ids only (no scoring); it is the one per-request loop that may run
   * through much of the catalogue, and only for a filter that almost no candidate passes.
   */
  morePopular(
    exclude: Int32Array,
    from: number,
    limit: number,
    keep: (item: number) => boolean,
    skip: ReadonlySet<number>,
  ): { items: Int32Array; next: number } {
    const { popularity } = this;
    const out: number[] = [];
    let p = from;
    for (; p < popularity.length && out.length < limit; p++) {
      const x = popularity[p]!;
      if (!skip.has(x) && !containsSorted(exclude, x) && keep(x)) out.push(x);
    }
    return { items: Int32Array.from(out), next: p };
  }

  /** An item appended to the served embeddings: placed in code space and linked in the networks it was given. */
  addItem(emb: EranEmbeddings, item: number, networkLinks: ReadonlyArray<ArrayLike<number>>): void {
    if (item >= this.seen.length) {
      const grown = new Int32Array(Math.max(item + 1, Math.ceil(this.seen.length * 1.25)));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.sources.codes.add(emb, item);
    this.popularity.push(item);
    networkLinks.forEach((links, k) => {
      const lists = this.sources.networks[k];
      if (!lists) return;
      for (let q = 0; q < links.length; q++) {
        lists.add(item, links[q]!);
        lists.add(links[q]!, item);
      }
    });
  }

  private taker(owned: Int32Array, out: number[]): (item: number) => void {
    if (this.request === 0x7fffffff) {
      this.seen.fill(0);
      this.request = 0;
    }
    const stamp = ++this.request;
    const seen = this.seen;
    return (item) => {
      if (seen[item] === stamp || containsSorted(owned, item)) return;
      seen[item] = stamp;
      out.push(item);
    };
  }
}
