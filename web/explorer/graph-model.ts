import type { ExplanationPath, PathNode, PathNodeType } from './api-types';

/**
 * What the drawing shows: exactly the nodes and relationships of an explanation's path, each
 * with the role that decides its colour. Pure, so the browser test and the unit tests can compare
 * it with the API's answer.
 */
export type NodeRole = 'user' | 'purchase' | 'recommended' | 'item' | 'attribute';

export interface GraphNode {
  /** Unique within the drawing: a user and an item may share an id. */
  readonly key: string;
  readonly type: PathNodeType;
  readonly id: string;
  readonly name: string;
  readonly kind: string | null;
  readonly role: NodeRole;
  /** Position along the path, 0 = the user. */
  readonly order: number;
}

export interface GraphEdge {
  readonly type: string;
  /** Node keys in the relationship's stored direction. */
  readonly from: string;
  readonly to: string;
  /** The raw ids as the API gives them (`from`/`to` of the relationship). */
  readonly fromId: string;
  readonly toId: string;
}

export interface ExplanationGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export function nodeKey(node: Pick<PathNode, 'type' | 'id'>): string {
  return `${node.type}:${node.id}`;
}

/**
 * The path is a chain: relationship i joins node i and node i+1, stored in either direction
 * (an item HAS_ACTOR the value; network edges are stored from the smaller id). A relationship
 * that joins neither pair means the answer is inconsistent, which is an error, not a drawing.
 */
export function explanationGraph(path: ExplanationPath, recommendedItemId: string): ExplanationGraph {
  const { nodes, relationships } = path;
  if (nodes.length > 0 && relationships.length !== nodes.length - 1) {
    throw new Error(`a path of ${nodes.length} nodes needs ${nodes.length - 1} relationships, got ${relationships.length}`);
  }
  const purchased = new Set(relationships.filter((r) => r.type === 'PURCHASED').map((r) => r.to));
  const graphNodes = nodes.map((n, order): GraphNode => ({
    key: nodeKey(n),
    type: n.type,
    id: n.id,
    name: n.name,
    kind: n.kind,
    order,
    role: roleOf(n, order, nodes.length, recommendedItemId, purchased),
  }));
  const edges = relationships.map((r, i): GraphEdge => {
    const a = nodes[i]!;
    const b = nodes[i + 1]!;
    const forward = r.from === a.id && r.to === b.id;
    const backward = r.from === b.id && r.to === a.id;
    if (!forward && !backward) throw new Error(`relationship ${i} (${r.from})-[:${r.type}]->(${r.to}) does not join ${a.id} and ${b.id}`);
    // Both when the two ids are equal (a user and an item may share an id): PURCHASED starts at the user.
    const fromFirst = forward && (!backward || r.type !== 'PURCHASED' || a.type === 'USER');
    return { type: r.type, from: nodeKey(fromFirst ? a : b), to: nodeKey(fromFirst ? b : a), fromId: r.from, toId: r.to };
  });
  return { nodes: graphNodes, edges };
}

function roleOf(node: PathNode, order: number, count: number, recommendedItemId: string, purchased: ReadonlySet<string>): NodeRole {
  if (node.type === 'USER') return 'user';
  if (node.type === 'ATTRIBUTE') return 'attribute';
  if (order === count - 1 && node.id === recommendedItemId) return 'recommended';
  return purchased.has(node.id) ? 'purchase' : 'item';
}

/** The label drawn on a relationship: "purchased", "has actor", "actor network". */
export function relationshipWords(type: string): string {
  if (type === 'PURCHASED') return 'purchased';
  const has = /^HAS_(.+)$/.exec(type);
  if (has) return `has ${words(has[1]!)}`;
  return `${words(type)} network`;
}

function words(type: string): string {
  return type.toLowerCase().replace(/_/g, ' ');
}

/**
 * The text alternative of a drawing: every relationship as a sentence, in path order, so a
 * screen reader (or anyone) gets the same graph as the picture.
 */
export function describeGraph(graph: ExplanationGraph): string {
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const label = (key: string): string => {
    const n = byKey.get(key)!;
    if (n.type === 'USER') return `User ${n.name}`;
    if (n.type === 'ATTRIBUTE') return `the ${n.kind ?? 'value'} ${n.name}`;
    return n.name;
  };
  if (graph.edges.length === 0) return graph.nodes.length === 0 ? 'No path in the graph.' : `${graph.nodes.map((n) => label(n.key)).join(', ')}.`;
  return graph.edges
    .map((e) => {
      if (e.type === 'PURCHASED' || e.type.startsWith('HAS_')) return `${label(e.from)} ${relationshipWords(e.type)} ${label(e.to).replace(/^the \S+ /, '')}.`;
      return `${label(e.from)} and ${label(e.to)} are bought together and share a ${words(e.type)} (${relationshipWords(e.type)}).`;
    })
    .join(' ');
}
