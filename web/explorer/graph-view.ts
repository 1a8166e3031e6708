import { h, svg, uniqueId } from './dom';
import { describeGraph, relationshipWords, type ExplanationGraph, type GraphNode } from './graph-model';
import { layoutGraph, NODE_RADIUS, type PlacedNode } from './graph-layout';
import { kindColour, ROLE_COLOURS, ROLE_NAMES } from './palette';

/**
 * Draws an explanation's path as SVG: every node and relationship is an element carrying the
 * API's ids (data-node-id, data-from/data-to), so what is drawn can be checked against the
 * answer, and the figure's text alternative lists the same relationships in words.
 */
export function renderGraph(graph: ExplanationGraph, title: string): HTMLElement {
  const layout = layoutGraph(graph);
  const titleId = uniqueId('graph-title');
  const descId = uniqueId('graph-desc');
  const arrowId = uniqueId('arrow');
  const description = describeGraph(graph);
  const { box } = layout;
  const byKey = new Map(layout.nodes.map((n) => [n.key, n]));

  const drawing = svg(
    'svg',
    {
      class: 'graph',
      viewBox: `${box.x} ${box.y} ${box.width} ${box.height}`,
      width: Math.round(box.width),
      height: Math.round(box.height),
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      'data-node-count': graph.nodes.length,
      'data-edge-count': graph.edges.length,
    },
    svg('title', { id: titleId }, title),
    svg('desc', { id: descId }, description),
    svg(
      'defs',
      {},
      svg(
        'marker',
        { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }),
      ),
    ),
    svg('g', { class: 'edges' }, ...graph.edges.map((e) => drawEdge(e.type, byKey.get(e.from)!, byKey.get(e.to)!, e.fromId, e.toId, arrowId))),
    svg('g', { class: 'nodes' }, ...layout.nodes.map(drawNode)),
  );
  return h('figure', { class: 'graph-figure' }, drawing, legend(graph.nodes), h('figcaption', { class: 'graph-text' }, description));
}

function drawEdge(type: string, a: PlacedNode, b: PlacedNode, fromId: string, toId: string, arrowId: string): SVGGElement {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  const ux = dx / length;
  const uy = dy / length;
  const start = { x: a.x + ux * NODE_RADIUS, y: a.y + uy * NODE_RADIUS };
  const end = { x: b.x - ux * (NODE_RADIUS + 2), y: b.y - uy * (NODE_RADIUS + 2) };
  // Network edges (co-purchase + shared value) have no direction that means anything: no arrow.
  const directed = type === 'PURCHASED' || type.startsWith('HAS_');
  const line = svg('line', { x1: r(start.x), y1: r(start.y), x2: r(end.x), y2: r(end.y), 'marker-end': directed ? `url(#${arrowId})` : null });
  // A network edge takes its kind's colour, as the value nodes and attention bars do.
  if (!directed) line.style.stroke = kindColour(type.toLowerCase());
  return svg(
    'g',
    { class: `edge edge-${type.toLowerCase()}${directed ? '' : ' edge-network'}`, 'data-edge-type': type, 'data-from': fromId, 'data-to': toId },
    line,
    svg('text', { x: r((a.x + b.x) / 2), y: r((a.y + b.y) / 2 - 6), 'text-anchor': 'middle', class: 'edge-label' }, relationshipWords(type)),
  );
}

function drawNode(node: PlacedNode): SVGGElement {
  const colour = node.role === 'attribute' ? kindColour(node.kind) : ROLE_COLOURS[node.role];
  const [line1, line2] = labelLines(node.type === 'USER' ? `User ${node.name}` : node.name);
  const kindLine = node.type === 'ATTRIBUTE' ? (node.kind ?? 'value') : node.type === 'USER' ? 'user' : ROLE_NAMES[node.role];
  return svg(
    'g',
    {
      class: `node node-${node.type.toLowerCase()} role-${node.role}`,
      'data-node-type': node.type,
      'data-node-id': node.id,
      'data-node-name': node.name,
      'data-kind': node.kind,
      'data-role': node.role,
      transform: `translate(${node.x} ${node.y})`,
    },
    svg('title', {}, `${node.name} (${kindLine})`),
    svg('circle', { r: NODE_RADIUS, fill: colour, class: node.role === 'recommended' ? 'emphasis' : null }),
    svg('text', { class: 'node-glyph', 'text-anchor': 'middle', dy: '0.35em' }, glyph(node)),
    svg('text', { class: 'node-label', 'text-anchor': 'middle', y: NODE_RADIUS + 14 }, line1),
    line2 ? svg('text', { class: 'node-label', 'text-anchor': 'middle', y: NODE_RADIUS + 28 }, line2) : null,
  );
}

function glyph(node: GraphNode): string {
  if (node.type === 'USER') return 'U';
  if (node.type === 'ATTRIBUTE') return (node.kind ?? '?').charAt(0).toUpperCase();
  return node.role === 'recommended' ? '★' : '●';
}

/** Up to two lines of about 20 characters, cut at a space where possible. */
export function labelLines(name: string, width = 20): [string, string | null] {
  if (name.length <= width) return [name, null];
  const cut = name.lastIndexOf(' ', width);
  const first = cut > 6 ? name.slice(0, cut) : name.slice(0, width);
  const rest = name.slice(first.length).trim();
  return [first, rest.length <= width ? rest : `${rest.slice(0, width - 1)}…`];
}

function legend(nodes: readonly GraphNode[]): HTMLElement {
  const seen = new Map<string, { colour: string; label: string }>();
  for (const n of nodes) {
    const key = n.role === 'attribute' ? `kind:${n.kind}` : n.role;
    if (seen.has(key)) continue;
    seen.set(
      key,
      n.role === 'attribute' ? { colour: kindColour(n.kind), label: n.kind ?? 'value' } : { colour: ROLE_COLOURS[n.role], label: ROLE_NAMES[n.role] },
    );
  }
  return h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    ...[...seen.values()].map((entry) => {
      const dot = h('span', { class: 'dot' });
      dot.style.background = entry.colour;
      return h('li', {}, dot, entry.label);
    }),
  );
}

function r(value: number): number {
  return Math.round(value * 10) / 10;
}
