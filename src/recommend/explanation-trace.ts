import type { AttributeValue } from '../catalog/item-directory';
import type { ExplanationMode, GraphExplanation, PathNode, PathRelationship, SharedValue } from './explanation.repository';

/** What tracing reads about the catalogue: this replica's item directory (catalog/item-directory.ts). */
export interface TraceCatalogue {
  item(id: string): { readonly title: string; readonly attrs: ReadonlySet<string> } | undefined;
  value(uid: string): AttributeValue | undefined;
  /** How many items hold the value. */
  holders(uid: string): number;
}

export interface TraceRequest {
  readonly userId: string;
  readonly itemId: string;
  /** The attribute kind the explanation is about (k*). */
  readonly kind: string;
  /** The user's purchases that may anchor the explanation, best first (sim_u order, adjacent ones first where the family asks). */
  readonly candidates: readonly string[];
}

/** An explanation traced from the catalogue, before the graph adds what only it knows. */
export interface TracedExplanation {
  readonly userId: string;
  readonly itemId: string;
  readonly mode: Exclude<ExplanationMode, 'NETWORK_PATH'>;
  /** The purchase the explanation is anchored on (j*); null when the user has no purchase. */
  readonly anchor: string | null;
  readonly sharedValues: readonly SharedValue[];
  readonly nodes: readonly PathNode[];
  readonly relationships: readonly PathRelationship[];
  /** Set when no candidate shares a value of the kind: search a path in that kind's network from here. */
  readonly pathFrom: string | null;
}

/**
 * The value half of an explanation (paper 3.4), computed from the catalogue in memory: j* is the
 * first candidate that shares a value of k* with the item; the path is (user)-[:PURCHASED]->(j*)
 * -[:HAS_K]->(value)<-[:HAS_K]-(item) through the rarest shared value (fewest items: "shares the
 * actor X" says more than "shares the genre Drama"). Without such a candidate the caller searches a
 * G_k* path from the best candidate (`pathFrom`), and this answer is the fallback: a value of
 * another kind shared with a candidate (OTHER_VALUE), else the bare purchase of the best candidate
 * (NONE).
 *
 * This used to be one Cypher query per response. Every fact it read is in each replica's item
 * directory (the items' attribute lists, which the import and addItem write in the same
 * transactions as the HAS_<KIND> links, and the values' names) and in the user's history (read from
 * the graph at its current version), so tracing here answers the same paths without a round trip;
 * the graph is still asked what only it holds: network edges (`adjacent`) and G_k* paths.
 */
export function traceExplanation(request: TraceRequest, catalogue: TraceCatalogue, hasType: (kind: string) => string): TracedExplanation {
  const item = catalogue.item(request.itemId);
  const itemAttrs = item?.attrs ?? new Set<string>();
  const sharedWith = (candidate: string, prefix: string | null): AttributeValue[] => {
    const attrs = catalogue.item(candidate)?.attrs;
    if (attrs === undefined) return [];
    const out: AttributeValue[] = [];
    for (const uid of attrs) {
      if (prefix !== null && !uid.startsWith(prefix)) continue;
      if (!itemAttrs.has(uid)) continue;
      const value = catalogue.value(uid);
      if (value !== undefined) out.push(value);
    }
    return out;
  };
  const firstSharing = (prefix: string | null): { anchor: string; values: AttributeValue[] } | null => {
    for (const candidate of request.candidates) {
      const values = sharedWith(candidate, prefix);
      if (values.length > 0) return { anchor: candidate, values };
    }
    return null;
  };
  const user = userNode(request.userId);
  const itemNode = (id: string): PathNode => ({ type: 'ITEM', id, name: catalogue.item(id)?.title ?? id, kind: null });

  const sharing = item === undefined ? null : firstSharing(`${request.kind}:`);
  const found = sharing ?? (item === undefined ? null : firstSharing(null));
  const pathFrom = sharing === null && request.candidates.length > 0 ? request.candidates[0]! : null;
  if (found === null) {
    const best = request.candidates[0];
    return {
      userId: request.userId,
      itemId: request.itemId,
      mode: 'NONE',
      anchor: best ?? null,
      sharedValues: [],
      nodes: best === undefined ? [] : [user, itemNode(best)],
      relationships: best === undefined ? [] : [{ type: 'PURCHASED', from: request.userId, to: best }],
      pathFrom,
    };
  }
  const values = [...found.values].sort((a, b) => catalogue.holders(a.uid) - catalogue.holders(b.uid) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  const rarest = values[0]!;
  const has = hasType(rarest.kind);
  return {
    userId: request.userId,
    itemId: request.itemId,
    mode: sharing === null ? 'OTHER_VALUE' : 'SHARED_VALUE',
    anchor: found.anchor,
    sharedValues: values.map((v) => ({ kind: v.kind, id: v.id, name: v.name })),
    nodes: [user, itemNode(found.anchor), { type: 'ATTRIBUTE', id: rarest.uid, name: rarest.name, kind: rarest.kind }, itemNode(request.itemId)],
    relationships: [
      { type: 'PURCHASED', from: request.userId, to: found.anchor },
      { type: has, from: found.anchor, to: rarest.uid },
      { type: has, from: request.itemId, to: rarest.uid },
    ],
    pathFrom,
  };
}

/** Moves the candidates adjacent to the item in G_k* to the front, each part in its order (paper 3.4). */
export function adjacentFirst(candidates: readonly string[], isAdjacent: (candidate: string) => boolean): string[] {
  const linked = candidates.filter(isAdjacent);
  return [...linked, ...candidates.filter((c) => !linked.includes(c))];
}

/**
 * The explanation as served: a G_k* path (from the purchase `pathFrom` to the item, as the graph
 * found it; the user's purchase of it is prepended), where one was searched and found, outranks
 * OTHER_VALUE and NONE; `adjacent` says the SHARED_VALUE anchor is linked to the item in G_k*.
 */
export function completeExplanation(
  traced: TracedExplanation,
  networkPath: Pick<GraphExplanation, 'nodes' | 'relationships'> | undefined,
  anchorAdjacent: boolean,
): GraphExplanation {
  if (traced.pathFrom !== null && networkPath !== undefined) {
    return {
      userId: traced.userId,
      itemId: traced.itemId,
      mode: 'NETWORK_PATH',
      sharedValues: [],
      nodes: [userNode(traced.userId), ...networkPath.nodes],
      relationships: [{ type: 'PURCHASED', from: traced.userId, to: traced.pathFrom }, ...networkPath.relationships],
      adjacent: false,
    };
  }
  return {
    userId: traced.userId,
    itemId: traced.itemId,
    mode: traced.mode,
    sharedValues: traced.sharedValues,
    nodes: traced.nodes,
    relationships: traced.relationships,
    adjacent: traced.mode === 'SHARED_VALUE' && anchorAdjacent,
  };
}

/** Users have no name in the graph: the path shows their id (as `coalesce(title, name, id)` does). */
function userNode(userId: string): PathNode {
  return { type: 'USER', id: userId, name: userId, kind: null };
}
