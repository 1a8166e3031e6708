import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import type { ExplanationGraph, GraphNode } from './graph-model';

/**
 * Positions for an explanation's drawing, by d3-force run to rest before anything is drawn (no
 * animation, and d3-force's random source is seeded, so the same path always gets the same
 * picture). Forces: the path order left to right (x), attribute values lifted above the items
 * they join so the shared value reads as the meeting point, links at a readable length, and
 * collision so long labels of neighbouring nodes do not overlap.
 */
export interface PlacedNode extends GraphNode {
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly nodes: readonly PlacedNode[];
  /** The drawing's extent, labels included. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

export const NODE_RADIUS = 18;
const STEP = 150;
const LIFT = 70;
const TICKS = 300;
/** Room under a node for its two-line label. */
const LABEL_BELOW = 44;
const LABEL_HALF_WIDTH = 70;

type SimNode = SimulationNodeDatum & { key: string; order: number; lifted: boolean };

export function layoutGraph(graph: ExplanationGraph): Layout {
  const simNodes: SimNode[] = graph.nodes.map((n) => ({
    key: n.key,
    order: n.order,
    lifted: n.type === 'ATTRIBUTE',
    x: n.order * STEP,
    y: n.type === 'ATTRIBUTE' ? -LIFT : 0,
  }));
  const links: Array<SimulationLinkDatum<SimNode>> = graph.edges.map((e) => ({ source: e.from, target: e.to }));
  forceSimulation(simNodes)
    .force(
      'link',
      forceLink<SimNode, SimulationLinkDatum<SimNode>>(links)
        .id((d) => d.key)
        .distance(STEP)
        .strength(0.3),
    )
    .force('charge', forceManyBody<SimNode>().strength(-250))
    .force('order', forceX<SimNode>((d) => d.order * STEP).strength(0.8))
    .force('lift', forceY<SimNode>((d) => (d.lifted ? -LIFT : 0)).strength(0.5))
    .force('collide', forceCollide<SimNode>(LABEL_HALF_WIDTH * 0.9))
    .stop()
    .tick(TICKS);
  const placed = graph.nodes.map((n, i): PlacedNode => ({ ...n, x: round(simNodes[i]!.x ?? 0), y: round(simNodes[i]!.y ?? 0) }));
  if (placed.length === 0) return { nodes: [], box: { x: 0, y: 0, width: 0, height: 0 } };
  const minX = Math.min(...placed.map((n) => n.x)) - LABEL_HALF_WIDTH;
  const maxX = Math.max(...placed.map((n) => n.x)) + LABEL_HALF_WIDTH;
  const minY = Math.min(...placed.map((n) => n.y)) - NODE_RADIUS - 8;
  const maxY = Math.max(...placed.map((n) => n.y)) + NODE_RADIUS + LABEL_BELOW;
  return { nodes: placed, box: { x: minX, y: minY, width: maxX - minX, height: maxY - minY } };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
