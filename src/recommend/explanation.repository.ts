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

type PathRecord = {
  user: string;
  item: string;
  nodes: Array<{ type: PathNodeType; id: string; name: string | null; kind: string | null }>;
  relationships: Array<{ type: string; from: string; to: string }>;
};

/** A pair of items asked about in one attribute network (`rel`: its relationship type, e.g. ACTOR). */
export interface NetworkPair {
  readonly rel: string;
  readonly a: string;
  readonly b: string;
}

/** A G_k* path search: from a purchase (`from`) of the user to the item, in network `rel`. */
export interface PathSearch {
  readonly rel: string;
  readonly userId: string;
  readonly itemId: string;
  readonly from: string;
}

/**
 * The graph half of explanations: what only the graph holds, the attribute networks' edges. The
 * value half (shared values, the purchase path) is traced in memory (explanation-trace.ts). Each
 * statement has the network type written into its pattern (CypherRegistry.typed): with the type a
 * parameter, Neo4j 5.26 reads every relationship of a dense item (its purchases and the other
 * networks too) and filters afterwards. One statement per network type among a response's rows,
 * run concurrently; auto-commit, as one read-only statement needs no BEGIN/COMMIT (two round trips
 * fewer than a managed transaction).
 */
@Injectable()
export class ExplanationRepository {
  constructor(private readonly graph: GraphClient) {}

  /** Which pairs are adjacent in their network (an edge as stored, either direction): keys from `pairKey`. */
  async adjacentPairs(pairs: readonly NetworkPair[]): Promise<Set<string>> {
    const byRel = groupBy(pairs, (p) => p.rel);
    const found = await Promise.all(
      [...byRel].map(async ([rel, list]) => {
        const rows = await this.graph.autoCommitRead<{ a: string; b: string }>(
          'recommend/adjacent-pairs',
          { pairs: list.map((p) => ({ a: p.a, b: p.b })) },
          { rel },
        );
        return rows.map((r) => networkPairKey(rel, r.a, r.b));
      }),
    );
    return new Set(found.flat());
  }

  /** The shortest G_k* path (up to 3 hops) behind the user's purchase, per search that has one: keys from `searchKey`. */
  async networkPaths(searches: readonly PathSearch[]): Promise<Map<string, Pick<GraphExplanation, 'nodes' | 'relationships'>>> {
    const byRel = groupBy(searches, (s) => s.rel);
    const found = await Promise.all(
      [...byRel].map(([rel, list]) =>
        this.graph.autoCommitRead<PathRecord>(
          'recommend/network-paths',
          { rows: list.map((s) => ({ user: s.userId, item: s.itemId, from: s.from })) },
          { rel },
        ),
      ),
    );
    return new Map(
      found.flat().map((p) => [
        searchKey(p.user, p.item),
        {
          nodes: p.nodes.map((n) => ({ type: n.type, id: n.id, name: n.name ?? n.id, kind: n.kind ?? null })),
          relationships: p.relationships.map((x) => ({ type: x.type, from: x.from, to: x.to })),
        },
      ]),
    );
  }
}

export function networkPairKey(rel: string, a: string, b: string): string {
  return `${rel}\u0000${a}\u0000${b}`;
}

export function searchKey(userId: string, itemId: string): string {
  return `${userId}\u0000${itemId}`;
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of list) {
    const group = out.get(key(t));
    if (group === undefined) out.set(key(t), [t]);
    else group.push(t);
  }
  return out;
}
