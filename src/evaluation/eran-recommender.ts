/**
 * eRAN in the evaluation harness. The attribute networks are built from the split's TRAINING
 * positives only (the same rules as the Neo4j import, via buildAttributeNetworks), so a held-out
 * item never sits in its own neighbourhood. Items without training positives (the cold-start
 * protocol's held-out items) are encoded from their attribute links alone (eq. 14 input: every
 * item sharing a value of kind k) and scored with the eq. 14 aggregate.
 *
 * Scores come from the same scoring family object the API serves with (src/served-model), on
 * the exact path by default (every requested item scored) or, with `servingPath: 'candidates'`,
 * as the API serves: only the items its candidate generator proposes get a score.
 */
import type { AttributeRecord, InteractionRecord, ItemRecord } from '../datasets/dataset.types';
import { buildAttributeNetworks } from '../networks/build-networks';
import { buildEranFor, encodeNewItem, freezeEran } from '../model/eran-model';
import type { EranEmbeddings } from '../model/embeddings';
import type { BuildEranOptions } from '../model/options';
import type { CsrAdjacency, GraphData } from '../model/graph-data';
import { scoreColdItem, type ColdAggregate, type UserRef } from '../model/scorer';
import { trainEran, type TrainOptions, type TrainResult } from '../model/trainer';
import { CandidateGenerator, type CandidateOptions } from '../served-model/candidates/candidate-generator';
import { CodeIndex } from '../served-model/candidates/code-index';
import { NeighbourLists } from '../served-model/candidates/neighbour-lists';
import type { ScoringPath } from '../served-model/eran-engine';
import { recentFirst, uniqueHistory, type ScoringFamily } from '../served-model/scoring/scoring-family';
import { scoringFamilyOf } from '../served-model/scoring/scoring-family-of';
import type { FitOptions, Recommender } from './protocols';
import { row, type TrainView } from './train-view';

export type EranHarnessOptions = Omit<BuildEranOptions, 'numItems' | 'numUsers' | 'kinds' | 'seed'> & {
  readonly name?: string;
  readonly epochs: number;
  readonly maxSeconds?: number;
  readonly stepsPerEpoch?: number;
  readonly coldAggregate?: ColdAggregate;
  /** Train on these attribute kinds only (default: every kind of the data), e.g. without `actor` for the attention study. */
  readonly kinds?: readonly string[];
  /** `exact` (default): every requested item is scored; `candidates`: only those the API's candidate generator proposes. */
  readonly servingPath?: ScoringPath;
  readonly candidates?: CandidateOptions;
  /**
   * Embeddings of an earlier fit on the same view and seed (benchmarks rerun without training):
   * used as they are, so no cold-start codes are encoded (the encoders are not kept).
   */
  readonly pretrained?: EranEmbeddings;
};

/** Network links per item and kind the candidate generator reads (as the API's activation snapshot). */
const NETWORK_LINKS_PER_ITEM = 10;

/** What studies of a fitted model need beyond scores: the frozen model and the index maps. */
export interface EranInspection {
  readonly embeddings: EranEmbeddings;
  /** The attribute networks the model was trained on (graph item indexes), in model kind order. */
  readonly networks: readonly CsrAdjacency[];
  /** User u's (view index) training positives as graph item indexes. */
  history(userIndex: number): Int32Array;
  /** The model's user for a view user: a learned index, or null (folded in from the history). */
  modelUser(userIndex: number): UserRef;
  /** View item index -> graph item index (-1: not in the model). */
  readonly viewToGraph: Int32Array;
  /** Graph item index -> view item index. */
  readonly graphToView: Int32Array;
}

export interface EranRecommender extends Recommender {
  /** The last fit's training history (losses per epoch), for reports. */
  lastTraining(): TrainResult | null;
  /** The fitted model for studies (attention, explanation faithfulness); null before fit. */
  inspect(): EranInspection | null;
  /** The same fit scored with each other eq. 14 aggregate (cold-start protocol). */
  coldVariants(): ReadonlyArray<{ readonly suffix: string; readonly model: Recommender }>;
  /** The same fit on the other scoring path (exact vs candidates), e.g. to compare their nDCG. */
  withServingPath(path: ScoringPath): Recommender;
  /** The graph item indexes the candidate path would score for a view user (sorted ascending). */
  candidatesOf(userIndex: number): Int32Array;
}

export function createEranRecommender(options: EranHarnessOptions): EranRecommender {
  let emb: EranEmbeddings | null = null;
  let family: ScoringFamily | null = null;
  let generator: CandidateGenerator | null = null;
  let view: TrainView | null = null;
  let viewToGraph = new Int32Array(0);
  let graphHistory: Int32Array[] = [];
  let graphTimes: Array<Float64Array | undefined> = [];
  let viewToGraphUser = new Int32Array(0);
  let coldCodes = new Map<number, Float32Array[]>();
  let training: TrainResult | null = null;
  let networks: readonly CsrAdjacency[] = [];
  let graphToView = new Int32Array(0);
  const { name, epochs, maxSeconds, stepsPerEpoch, coldAggregate, kinds, servingPath, candidates: candidateOptions, pretrained, ...modelOptions } = options;
  const modelUser = (userIndex: number): UserRef => ((viewToGraphUser[userIndex] ?? -1) >= 0 ? viewToGraphUser[userIndex]! : null);

  return {
    name: name ?? `eran${modelOptions.variant && modelOptions.variant !== 'eran' ? `-${modelOptions.variant.slice(5)}` : ''}`,
    lastTraining: () => training,
    inspect: () =>
      emb === null
        ? null
        : {
            embeddings: emb,
            networks,
            history: (userIndex: number) => graphHistory[userIndex] ?? new Int32Array(0),
            modelUser,
            viewToGraph,
            graphToView,
          },

    async fit(train: TrainView, fitOpts: FitOptions): Promise<void> {
      view = train;
      const records = viewRecords(train);
      const built = buildAttributeNetworks(records, { minHistory: 1, positiveThreshold: 3, edgeList: false });
      const graph = withTimes(kinds ? keepKinds(built.graph, kinds) : built.graph, train);
      networks = graph.networks;
      const graphIndex = new Map(graph.itemIds.map((id, i) => [id, i]));
      viewToGraph = Int32Array.from(train.itemIds, (id) => graphIndex.get(id) ?? -1);
      graphToView = new Int32Array(graph.itemIds.length).fill(-1);
      viewToGraph.forEach((g, v) => {
        if (g >= 0) graphToView[g] = v;
      });
      const userGraphIndex = new Map(graph.userIds.map((id, u) => [id, u]));
      viewToGraphUser = Int32Array.from(train.userIds, (id) => userGraphIndex.get(id) ?? -1);
      graphHistory = Array.from(viewToGraphUser, (g) => graph.userItems[g] ?? new Int32Array(0));
      graphTimes = Array.from(viewToGraphUser, (g) => graph.userItemTimes?.[g]);

      generator = null;
      if (pretrained !== undefined) {
        if (pretrained.numItems !== graph.itemIds.length || pretrained.numUsers !== graph.userIds.length) {
          throw new Error(
            `eran: pretrained embeddings have ${pretrained.numItems} items and ${pretrained.numUsers} users, the view's graph ${graph.itemIds.length} and ${graph.userIds.length}`,
          );
        }
        emb = pretrained;
        family = scoringFamilyOf(pretrained);
        coldCodes = new Map();
        return;
      }
      const model = buildEranFor(graph, { ...modelOptions, seed: fitOpts.seed });
      try {
        const trainOptions: TrainOptions = { epochs, seed: fitOpts.seed, maxSeconds, stepsPerEpoch };
        training = await trainEran(model, graph, trainOptions, (p) => {
          // Mixture fits run a validation search, then a refit of at most as many epochs: 2x the cap at most.
          const planned = (modelOptions.scoring === 'mixture' ? 2 : 1) * epochs * p.stepsPerEpoch;
          const done = (p.epoch - 1) * p.stepsPerEpoch + p.step;
          if (p.phase === 'step') fitOpts.onProgress?.({ stage: 'train', done, total: Math.max(planned, done), loss: p.loss.total });
        });
        const frozen = freezeEran(model, graph.networks);
        coldCodes = encodeColdItems(
          train,
          graph.networks.map((n) => n.kind),
          viewToGraph,
          (neighbours) => encodeNewItem(model, neighbours),
        );
        // Items nobody bought in training: the family says whether their trained vectors stand
        // (the mixture's likelihood covers them) or their attribute-only (eq. 14) codes replace
        // them, on the same scale as every other item. Cold codes always serve the cold-start protocol.
        family = scoringFamilyOf(frozen);
        if (!family.keepsUnboughtItemVectors) {
          const bias = family.newItemBias(frozen);
          for (const [x, codes] of coldCodes) placeColdCodes(frozen, viewToGraph[x]!, codes, bias);
        }
        emb = frozen;
      } finally {
        model.dispose();
      }
    },

    scoreUser: (userIndex: number, candidates?: Int32Array): Float32Array => score(userIndex, candidates, coldAggregate, servingPath ?? 'exact'),

    withServingPath: (path: ScoringPath): Recommender => ({
      name: `${name ?? 'eran'} ${path}`,
      fit: () => {
        throw new Error("a serving-path variant shares its model's fit");
      },
      scoreUser: (userIndex: number, candidates?: Int32Array) => score(userIndex, candidates, coldAggregate, path),
    }),

    candidatesOf: (userIndex: number): Int32Array => Int32Array.from(candidateSet(userIndex)).sort(),

    coldVariants: () => {
      if (emb === null || family === null) return [];
      const chosen = coldAggregate ?? family.coldAggregate;
      return family.coldAggregates
        .filter((a) => a !== chosen)
        .map((aggregate) => ({
          suffix: `eq14-${aggregate}`,
          model: {
            name: `${name ?? 'eran'} eq14-${aggregate}`,
            fit: () => {
              throw new Error("an eq. 14 variant shares its model's fit");
            },
            scoreUser: (userIndex: number, candidates?: Int32Array) => score(userIndex, candidates, aggregate, servingPath ?? 'exact'),
          },
        }));
    },
  };

  function score(userIndex: number, candidates: Int32Array | undefined, aggregate: ColdAggregate | undefined, path: ScoringPath): Float32Array {
    if (emb === null || family === null || view === null) throw new Error('eran: scoreUser before fit');
    const history = graphHistory[userIndex] ?? new Int32Array(0);
    const user = modelUser(userIndex);
    const items = candidates ?? Int32Array.from({ length: view.numItems }, (_, i) => i);
    const out = new Float32Array(items.length).fill(-Infinity);
    // Only when every candidate is cold (the cold-start protocol ranks users per item) does the
    // eq. 14 aggregate apply: unlike the score it does not grow with |R_u|.
    const allCold = items.length > 0 && items.every((item) => coldCodes.has(item));
    if (allCold) {
      items.forEach((item, c) => {
        out[c] = scoreColdItem(emb!, user, history, coldCodes.get(item)!, aggregate);
      });
      return out;
    }
    // A user unknown to the model (no training positives) gets the family's new-user vector.
    const d = emb.dim;
    const z = user === null ? family.newUser(emb, history) : typeof user === 'number' ? emb.users.slice(user * d, (user + 1) * d) : user;
    const scorer = family.user(emb, z, history, graphTimes[userIndex]);
    const proposed = path === 'candidates' ? candidateSet(userIndex) : null;
    const positions: number[] = [];
    const graphItems: number[] = [];
    items.forEach((item, c) => {
      const g = viewToGraph[item]!;
      if (g >= 0 && (proposed === null || proposed.has(g))) {
        positions.push(c);
        graphItems.push(g);
      }
    });
    const scores = new Float32Array(graphItems.length);
    scorer.scoreCandidates(graphItems, scores);
    positions.forEach((c, q) => {
      out[c] = scores[q]!;
    });
    return out;
  }

  /** The items the API's candidate generator proposes for this user (graph indexes). */
  function candidateSet(userIndex: number): Set<number> {
    if (emb === null || family === null) throw new Error('eran: candidates before fit');
    if (generator === null) {
      const popularity = new Float64Array(emb.numItems);
      for (const items of graphHistory) for (const g of items) popularity[g]!++;
      generator = new CandidateGenerator(
        {
          codes: CodeIndex.build(emb),
          networks: networks.map((net) => NeighbourLists.strongest(net, NETWORK_LINKS_PER_ITEM)),
          popularity: Int32Array.from({ length: emb.numItems }, (_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b),
        },
        emb.numItems,
        candidateOptions,
      );
    }
    const history = graphHistory[userIndex] ?? new Int32Array(0);
    return new Set(generator.generate({ items: uniqueHistory(emb, history), recent: recentFirst(history, graphTimes[userIndex]) }));
  }
}

/** Adds each graph user's purchase times (from the view's positives) for recency weighting. */
function withTimes(graph: GraphData, train: TrainView): GraphData {
  const times = train.positiveTimes;
  if (!times) return graph;
  const itemIndex = new Map(graph.itemIds.map((id, i) => [id, i]));
  const userItemTimes = graph.userIds.map((id, g) => {
    const u = train.userIndex.get(id);
    const items = graph.userItems[g]!;
    const out = new Float64Array(items.length).fill(NaN);
    if (u === undefined) return out;
    const when = new Map<number, number>();
    for (let p = train.positives.indptr[u]!; p < train.positives.indptr[u + 1]!; p++) {
      const gi = itemIndex.get(train.itemIds[train.positives.indices[p]!]!);
      if (gi !== undefined) when.set(gi, times[p]!);
    }
    items.forEach((gi, q) => {
      out[q] = when.get(gi) ?? NaN;
    });
    return out;
  });
  return { ...graph, userItemTimes };
}

/** The graph restricted to the given kinds (in the given order); an unknown kind is an error naming it. */
function keepKinds(graph: GraphData, kinds: readonly string[]): GraphData {
  const have = graph.networks.map((n) => n.kind);
  const missing = kinds.filter((k) => !have.includes(k));
  if (missing.length > 0 || kinds.length === 0) {
    throw new Error(
      `eran: kinds ${JSON.stringify(kinds)}: expected a non-empty subset of ${have.join(', ')}${missing.length ? `; unknown: ${missing.join(', ')}` : ''}`,
    );
  }
  return { ...graph, networks: kinds.map((k) => graph.networks[have.indexOf(k)]!) };
}

function placeColdCodes(emb: EranEmbeddings, g: number, codes: readonly Float32Array[], bias: number): void {
  if (g < 0) return;
  const d = emb.dim;
  codes.forEach((code, k) => emb.codes[k]!.set(code, g * d));
  emb.itemEmbedding?.fill(0, g * d, (g + 1) * d);
  if (emb.itemBias) emb.itemBias[g] = bias;
}

function viewRecords(train: TrainView): { items: ItemRecord[]; attributes: AttributeRecord[]; interactions: InteractionRecord[] } {
  const items = train.itemIds.map((item) => ({ item, title: item }));
  const attributes: AttributeRecord[] = [];
  for (const kv of train.attributes?.byKind ?? []) {
    for (let i = 0; i < train.numItems; i++) {
      for (let p = kv.indptr[i]!; p < kv.indptr[i + 1]!; p++) {
        const value = kv.valueIds[kv.indices[p]!]!;
        attributes.push({ item: train.itemIds[i]!, kind: kv.kind, value, name: value });
      }
    }
  }
  const interactions: InteractionRecord[] = [];
  for (let u = 0; u < train.numUsers; u++) {
    for (const i of row(train.positives, u)) interactions.push({ user: train.userIds[u]!, item: train.itemIds[i]!, rating: 5 });
  }
  return { items, attributes, interactions };
}

/**
 * Items nobody bought in training get eq. 14 codes: their row in G_k links them to every item that
 * shares a value of kind k (co-purchase cannot be required of an item with no purchases).
 */
function encodeColdItems(
  train: TrainView,
  kinds: readonly string[],
  viewToGraph: Int32Array,
  encode: (neighbours: Int32Array[]) => Float32Array[],
): Map<number, Float32Array[]> {
  const bought = new Uint8Array(train.numItems);
  for (let u = 0; u < train.numUsers; u++) for (const i of row(train.positives, u)) bought[i] = 1;
  const out = new Map<number, Float32Array[]>();
  const attrs = train.attributes;
  if (!attrs) return out;
  for (let x = 0; x < train.numItems; x++) {
    if (bought[x]) continue;
    const neighbours = kinds.map((kind) => {
      const kv = attrs.byKind.find((b) => b.kind === kind);
      if (!kv) return new Int32Array(0);
      const mine = new Set(Array.from(kv.indices.subarray(kv.indptr[x]!, kv.indptr[x + 1]!)));
      const links: number[] = [];
      for (let i = 0; i < train.numItems; i++) {
        if (i === x || !bought[i]) continue;
        for (let p = kv.indptr[i]!; p < kv.indptr[i + 1]!; p++) {
          if (mine.has(kv.indices[p]!)) {
            const g = viewToGraph[i]!;
            if (g >= 0) links.push(g);
            break;
          }
        }
      }
      return Int32Array.from(links);
    });
    if (neighbours.some((n) => n.length > 0)) out.set(x, encode(neighbours));
  }
  return out;
}
