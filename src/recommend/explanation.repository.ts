import { Injectable } from '@nestjs/common';
import { GraphClient } from '../graph/graph-client';

export type ExplanationMode = 'SHARED_VALUE' | 'NETWORK_PATH' | 'OTHER_VALUE' | 'NONE';

export type PathNodeType = 'USER' | 'ITEM' | 'ATTRIBUTE';

export interface PathNode {
  readonly type: PathNodeType;
  /** `id` of users and items, `uid` of attribute values. */
  readonly id: string;
  readonly name: string;
  /** Attribute kind (values only). */
  readonly kind: string | null;
}

export interface PathRelationship {
  readonly type: string;
  readonly from: string;
  readonly to: string;
}

export interface SharedValue {
  readonly kind: string;
  readonly id: string;
  readonly name: string;
}

export interface GraphExplanation {
  readonly userId: string;
  readonly itemId: string;
  readonly mode: ExplanationMode;
  readonly sharedValues: readonly SharedValue[];
  readonly nodes: readonly PathNode[];
  readonly relationships: readonly PathRelationship[];
  /** The anchor is adjacent to the item in G_kind (an edge of the network, as stored). */
  readonly adjacent: boolean;
}

interface LinkRecord {
  item: string;
  from: string;
  search: boolean;
  adjacent: boolean;
  path: {
    nodes: Array<{ type: PathNodeType; id: string; name: string | null; kind: string | null }>;
    relationships: Array<{ type: string; from: string; to: string }>;
  } | null;
}

/**
 * A question to one attribute network (`rel`: its relationship type, e.g. ACTOR) about a purchase
 * `from` and an item: is it adjacent to the item, or (`search`) what is the shortest path to it.
 */
export interface NetworkQuestion {
  readonly rel: string;
  readonly from: string;
  readonly itemId: string;
  readonly search: boolean;
}

export interface NetworkAnswers {
  /** The adjacent (from, item) pairs among the questions without `search`: keys from `networkPairKey`. */
  readonly adjacent: ReadonlySet<string>;
  /** The G_k* paths found for the `search` questions (from the purchase to the item), same keys. */
  readonly paths: ReadonlyMap<string, Pick<GraphExplanation, 'nodes' | 'relationships'>>;
}

/**
 * The graph half of explanations: what only the graph holds, the attribute networks' edges (the
 * value half, shared values and the purchase path, is traced in memory: explanation-trace.ts).
 * One statement per network type among the questions (`recommend/network-links`, the type
 * written into its patterns), run concurrently, in auto-commit READ sessions: one read-only
 * statement needs no BEGIN/COMMIT (two round trips fewer than a managed transaction).
 */
@Injectable()
export class ExplanationRepository {
  constructor(private readonly graph: GraphClient) {}

  async networkLinks(questions: readonly NetworkQuestion[]): Promise<NetworkAnswers> {
    const byRel = new Map<string, NetworkQuestion[]>();
    for (const q of questions) {
      const group = byRel.get(q.rel);
      if (group === undefined) byRel.set(q.rel, [q]);
      else group.push(q);
    }
    const found = await Promise.all(
      [...byRel].map(async ([rel, list]) => {
        const rows = list.map((q) => ({ item: q.itemId, from: q.from, search: q.search }));
        return { rel, records: await this.graph.autoCommitRead<LinkRecord>('recommend/network-links', { rows }, { rel }) };
      }),
    );
    const adjacent = new Set<string>();
    const paths = new Map<string, Pick<GraphExplanation, 'nodes' | 'relationships'>>();
    for (const { rel, records } of found) {
      for (const r of records) {
        const key = networkPairKey(rel, r.from, r.item);
        if (!r.search && r.adjacent) adjacent.add(key);
        if (r.search && r.path !== null) {
          paths.set(key, {
            nodes: r.path.nodes.map((n) => ({ type: n.type, id: n.id, name: n.name ?? n.id, kind: n.kind ?? null })),
            relationships: r.path.relationships.map((x) => ({ type: x.type, from: x.from, to: x.to })),
          });
        }
      }
    }
    return { adjacent, paths };
  }
}

export function networkPairKey(rel: string, from: string, itemId: string): string {
  return `${rel}\u0000${from}\u0000${itemId}`;
}
