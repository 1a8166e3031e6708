import { Inject, Injectable } from '@nestjs/common';
import { API_TUNING, type ApiTuning } from '../config/config.module';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import { CatalogService, type AttributeConstraint } from '../catalog/catalog.service';
import type { UserState } from '../catalog/user-cache';
import { ModelRegistryService } from '../served-model/model-registry.service';
import {
  ExplanationRepository,
  networkPairKey,
  type ExplanationMode,
  type NetworkQuestion,
  type PathNode,
  type PathRelationship,
  type SharedValue,
} from './explanation.repository';
import { adjacentFirst, completeExplanation, traceExplanation, type TraceCatalogue } from './explanation-trace';
import { kindNames } from '../ingest/import-dataset';
import { ExplanationCache } from './explanation-cache';
import { explanationText, purchaseVerb } from './explanation-text';
import type { KindWeight, ScoredItem, ScoredUser, UserHistory } from '../served-model/recommender-engine';
import { RecommendErrorCode } from './recommend.errors';

export interface RecommendQuery {
  readonly userId: string;
  readonly k: number;
  readonly excludeIds?: readonly string[];
  readonly filter?: {
    readonly genres?: readonly string[];
    readonly attributes?: ReadonlyArray<{ readonly kind: string; readonly values: readonly string[] }>;
    readonly yearFrom?: number;
    readonly yearTo?: number;
  };
}

export interface Recommendation {
  readonly userId: string;
  readonly itemId: string;
  readonly score: number;
  readonly rank: number;
}

export interface ExplanationKey {
  readonly userId: string;
  readonly itemId: string;
}

export interface Explanation {
  readonly userId: string;
  readonly itemId: string;
  /** k*. */
  readonly attribute: string;
  readonly attention: readonly KindWeight[];
  /** j*. */
  readonly neighbourId: string | null;
  readonly mode: ExplanationMode;
  readonly adjacent: boolean;
  readonly sharedValues: readonly SharedValue[];
  readonly path: { readonly nodes: readonly PathNode[]; readonly relationships: readonly PathRelationship[] } | null;
  readonly text: string;
}

/** Purchases the graph may choose j* among: the best ones under the model's rule. */
const ANCHOR_CANDIDATES = 20;

/**
 * Recommendations and their explanations. Scoring runs in memory on the served model with R_u as
 * of now (read from the graph, or this replica's cache of it); explanations for every
 * recommendation of a response are traced together: shared values from the item directory, network
 * edges and paths from the graph (one statement per network type). The resolvers read the user
 * first (`userFor`, I/O), then run the synchronous scoring in the CPU scheduler.
 */
@Injectable()
export class RecommendService {
  private readonly cache: ExplanationCache<Explanation>;
  /** What explanations are traced over: this replica's item directory, through the catalogue. */
  private readonly catalogue: TraceCatalogue;

  constructor(
    private readonly catalog: CatalogService,
    private readonly registry: ModelRegistryService,
    private readonly explanations: ExplanationRepository,
    @Inject(API_TUNING) tuning: ApiTuning,
  ) {
    this.cache = new ExplanationCache(tuning.explanationCacheTtlMs);
    this.catalogue = {
      item: (id) => catalog.findItem(id),
      value: (uid) => catalog.value(uid),
      holders: (uid) => catalog.valueHolders(uid),
    };
  }

  /** The user a request is about (MODEL_NOT_READY first, then USER_NOT_FOUND). */
  async userFor(userId: string): Promise<UserState> {
    this.registry.require();
    return this.catalog.requireUser(userId);
  }

  recommend(query: RecommendQuery, user: UserState): Recommendation[] {
    const { engine } = this.registry.require();
    const { history, owned } = user;
    const excluded = new Set(query.excludeIds ?? []);
    const matches = query.filter === undefined ? null : this.catalog.compileFilter(this.filterOf(query.filter));
    const keep = (id: string): boolean => !owned.has(id) && !excluded.has(id) && this.catalog.isVisible(id) && (matches === null || matches(id));
    return engine.recommend(history, query.k, keep).map((s, index) => ({
      userId: query.userId,
      itemId: s.itemId,
      score: s.score,
      rank: index + 1,
    }));
  }

  /** Validates an explain(userId, itemId) request up front, so the loader only sees good keys. */
  async checkExplainable(userId: string, itemId: string): Promise<void> {
    const { engine } = this.registry.require();
    await this.catalog.requireUser(userId);
    this.catalog.item(itemId);
    if (!engine.hasItem(itemId)) throw notScorable(itemId);
  }

  /**
   * Explanations for many (user, item) pairs: those not in the cache traced together
   * (`traceExplanations`).
   */
  async explainMany(keys: readonly ExplanationKey[]): Promise<Array<Explanation | Error>> {
    const model = this.registry.require();
    const users = new Map<string, UserState | null>();
    for (const userId of new Set(keys.map((k) => k.userId))) users.set(userId, await this.catalog.userState(userId));
    // Keys fixed before the graph round trip: a purchase landing meanwhile must not file this
    // answer under the new history version.
    const cacheKeys = new Map(
      keys.map((k) => [pairKey(k.userId, k.itemId), `${model.version}\u0000${users.get(k.userId)?.history.version ?? -1}\u0000${pairKey(k.userId, k.itemId)}`]),
    );
    const done = new Map<string, Explanation>();
    const missing: ExplanationKey[] = [];
    for (const key of keys) {
      const hit = this.cache.get(cacheKeys.get(pairKey(key.userId, key.itemId))!);
      if (hit === undefined) missing.push(key);
      else done.set(pairKey(key.userId, key.itemId), hit);
    }
    for (const e of await this.traceExplanations(missing, users)) {
      done.set(pairKey(e.userId, e.itemId), e);
      this.cache.set(cacheKeys.get(pairKey(e.userId, e.itemId))!, e);
    }
    return keys.map((key) => done.get(pairKey(key.userId, key.itemId)) ?? notScorable(key.itemId));
  }

  /**
   * The explanations of pairs not cached: the model part (k*, attention, the purchases ranked by
   * sim_u), the value path traced in memory, then from the graph only what is in its networks:
   * whether the anchor is adjacent to the item in G_k*, and a G_k* path where no purchase shares a
   * value of k*. One statement per network type among the rows (twice when a family orders its
   * anchors by adjacency); none for a response whose rows all need neither.
   */
  private async traceExplanations(keys: readonly ExplanationKey[], users: ReadonlyMap<string, UserState | null>): Promise<Explanation[]> {
    if (keys.length === 0) return [];
    const model = this.registry.require();
    const verb = purchaseVerb(model.kinds);
    const byUser = new Map<string, string[]>();
    for (const key of keys) byUser.set(key.userId, [...(byUser.get(key.userId) ?? []), key.itemId]);
    const rows: Array<{
      userId: string;
      itemId: string;
      kind: string;
      rel: string;
      attention: readonly KindWeight[];
      anchors: readonly string[];
      adjacentFirst: boolean;
    }> = [];
    for (const [userId, itemIds] of byUser) {
      const user = users.get(userId);
      if (user === undefined || user === null) continue;
      for (const e of model.engine.explain(user.history, itemIds, ANCHOR_CANDIDATES)) {
        const anchors = e.anchors.map((a) => a.itemId);
        rows.push({
          userId,
          itemId: e.itemId,
          kind: e.topKind,
          rel: kindNames(e.topKind).rel,
          attention: e.attention,
          anchors,
          adjacentFirst: e.adjacentFirst,
        });
      }
    }
    // Paper 3.4 (adjacentFirst): the purchases adjacent to the item in G_k* come first.
    const ordering = rows.filter((r) => r.adjacentFirst).flatMap((r) => r.anchors.map((from) => ({ rel: r.rel, from, itemId: r.itemId, search: false })));
    const adjacentToItem = ordering.length === 0 ? new Set<string>() : (await this.explanations.networkLinks(ordering)).adjacent;
    const traced = rows.map((r) => {
      const candidates = r.adjacentFirst ? adjacentFirst(r.anchors, (a) => adjacentToItem.has(networkPairKey(r.rel, a, r.itemId))) : r.anchors;
      return {
        row: r,
        trace: traceExplanation({ userId: r.userId, itemId: r.itemId, kind: r.kind, candidates }, this.catalogue, (kind) => kindNames(kind).has),
      };
    });
    // Per row at most one question: is the SHARED_VALUE anchor adjacent (unless already known), or
    // the G_k* path from the best purchase where none shares a value of k*.
    const links = await this.explanations.networkLinks(
      traced.flatMap(({ row, trace }): NetworkQuestion[] => {
        if (trace.pathFrom !== null) return [{ rel: row.rel, from: trace.pathFrom, itemId: row.itemId, search: true }];
        if (trace.mode === 'SHARED_VALUE' && !row.adjacentFirst) return [{ rel: row.rel, from: trace.anchor!, itemId: row.itemId, search: false }];
        return [];
      }),
    );
    return traced.map(({ row, trace }) => {
      const anchorKey = networkPairKey(row.rel, trace.anchor ?? '', row.itemId);
      const path = trace.pathFrom === null ? undefined : links.paths.get(networkPairKey(row.rel, trace.pathFrom, row.itemId));
      const g = completeExplanation(trace, path, links.adjacent.has(anchorKey) || adjacentToItem.has(anchorKey));
      const anchor = g.nodes[1]?.type === 'ITEM' ? g.nodes[1] : null;
      return {
        userId: g.userId,
        itemId: g.itemId,
        attribute: row.kind,
        attention: row.attention,
        neighbourId: anchor?.id ?? null,
        mode: g.mode,
        adjacent: g.adjacent,
        sharedValues: g.sharedValues,
        path: g.nodes.length === 0 ? null : { nodes: g.nodes, relationships: g.relationships },
        text: explanationText({ mode: g.mode, kind: row.kind, sharedValues: g.sharedValues, neighbour: anchor?.name ?? null, nodes: g.nodes, verb }),
      };
    });
  }

  similarItems(itemId: string, user: UserState | null, k: number): ScoredItem[] {
    const { engine } = this.registry.require();
    this.catalog.item(itemId);
    if (!engine.hasItem(itemId)) throw notScorable(itemId);
    const owned = user?.owned ?? new Set<string>();
    return engine.similarItems(itemId, user?.history ?? null, k, (id) => id !== itemId && !owned.has(id) && this.catalog.isVisible(id));
  }

  /**
   * Checks an audience request before the histories are read: errors as `audience` gives them;
   * false when the answer is empty anyway (a hidden item), so that nothing is read.
   */
  checkAudience(itemId: string): boolean {
    const { engine } = this.registry.require();
    const item = this.catalog.item(itemId);
    if (item.hidden) return false;
    if (!engine.hasItem(itemId)) throw notScorable(itemId);
    return true;
  }

  /** Every user's history from the graph (audience ranks every user). */
  async allHistories(): Promise<UserHistory[]> {
    return this.catalog.allHistories();
  }

  audience(itemId: string, k: number, histories: readonly UserHistory[]): ScoredUser[] {
    const { engine } = this.registry.require();
    const item = this.catalog.item(itemId);
    if (item.hidden) return [];
    if (!engine.hasItem(itemId)) throw notScorable(itemId);
    return engine.audience(itemId, histories, k);
  }

  private filterOf(filter: NonNullable<RecommendQuery['filter']>) {
    const attributes: AttributeConstraint[] = [
      ...(filter.genres === undefined ? [] : [{ kind: 'genre', values: filter.genres, field: 'filter.genres' }]),
      ...(filter.attributes ?? []).map((a, i) => ({ kind: a.kind, values: a.values, field: `filter.attributes[${i}]` })),
    ];
    return { attributes, yearFrom: filter.yearFrom, yearTo: filter.yearTo };
  }
}

function pairKey(userId: string, itemId: string): string {
  return `${userId}\u0000${itemId}`;
}

function notScorable(itemId: string): DomainError {
  return new DomainError(
    ErrorKind.NotFound,
    RecommendErrorCode.ItemNotScorable,
    `item "${itemId}" is not known to the served model (added while no model was loaded?)`,
    { field: 'itemId' },
  );
}
