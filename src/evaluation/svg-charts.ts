/**
 * Hand-written SVG charts for the report (no charting dependency): small-multiple bar panels with
 * error bars, and a line chart for recall@K curves. Plain strings, viewable in any browser or
 * Markdown renderer.
 */

export interface BarValue {
  readonly label: string;
  readonly mean: number;
  readonly sd: number;
}

export interface BarPanel {
  readonly title: string;
  readonly values: readonly BarValue[];
}

export interface BarPanelsOptions {
  readonly title: string;
  readonly panels: readonly BarPanel[];
}

export interface LineSeries {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly sd?: number }[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
}

/** Colour-blind-safe (Okabe-Ito) palette; a model keeps its colour in every chart via `colourFor`. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999'];

export function colourFor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** One panel per metric, horizontal bars per model (mean) with a whisker of +-1 sd. */
export function barPanelsSvg(opts: BarPanelsOptions, labelOrder: readonly string[]): string {
  const labelWidth = 130;
  const panelWidth = 230;
  const barHeight = 16;
  const gap = 6;
  const top = 50;
  const rows = Math.max(1, ...opts.panels.map((p) => p.values.length));
  const panelHeight = rows * (barHeight + gap);
  const width = labelWidth + opts.panels.length * (panelWidth + 20) + 10;
  const height = top + panelHeight + 40;
  const parts: string[] = [header(width, height), text(10, 22, opts.title, 'font-size="15" font-weight="bold"')];
  opts.panels.forEach((panel, p) => {
    const x0 = labelWidth + p * (panelWidth + 20);
    const max = niceMax(Math.max(...panel.values.map((v) => v.mean + (Number.isFinite(v.sd) ? v.sd : 0)), 1e-9));
    parts.push(text(x0, top - 12, panel.title, 'font-size="12" font-weight="bold"'));
    parts.push(`<line x1="${x0}" y1="${top - 4}" x2="${x0}" y2="${top + panelHeight}" stroke="#444"/>`);
    for (let t = 0; t <= 4; t++) {
      const x = x0 + (panelWidth * t) / 4;
      parts.push(`<line x1="${f(x)}" y1="${top + panelHeight}" x2="${f(x)}" y2="${top + panelHeight + 4}" stroke="#444"/>`);
      parts.push(text(x, top + panelHeight + 16, fmt((max * t) / 4), 'font-size="10" text-anchor="middle"'));
      if (t > 0) parts.push(`<line x1="${f(x)}" y1="${top - 4}" x2="${f(x)}" y2="${top + panelHeight}" stroke="#ddd"/>`);
    }
    panel.values.forEach((v, r) => {
      const y = top + r * (barHeight + gap);
      const w = (panelWidth * Math.max(0, v.mean)) / max;
      const colour = colourFor(Math.max(0, labelOrder.indexOf(v.label)));
      if (p === 0) parts.push(text(labelWidth - 8, y + barHeight - 4, v.label, 'font-size="11" text-anchor="end"'));
      parts.push(
        `<rect x="${x0}" y="${y}" width="${f(w)}" height="${barHeight}" fill="${colour}"><title>${esc(`${v.label}: ${v.mean.toFixed(4)} ± ${v.sd.toFixed(4)}`)}</title></rect>`,
      );
      if (v.sd > 0) {
        const lo = x0 + (panelWidth * Math.max(0, v.mean - v.sd)) / max;
        const hi = x0 + (panelWidth * (v.mean + v.sd)) / max;
        const cy = y + barHeight / 2;
        parts.push(`<path d="M${f(lo)} ${cy}H${f(hi)}M${f(lo)} ${cy - 4}V${cy + 4}M${f(hi)} ${cy - 4}V${cy + 4}" stroke="#222" fill="none"/>`);
      }
      parts.push(text(x0 + w + 4 + (v.sd > 0 ? (panelWidth * v.sd) / max : 0), y + barHeight - 4, v.mean.toFixed(3), 'font-size="9" fill="#333"'));
    });
  });
  parts.push(text(10, height - 8, 'bars: mean over seeds; whiskers: ±1 sd', 'font-size="10" fill="#555"'));
  parts.push('</svg>\n');
  return parts.join('\n');
}

/** Lines with markers; a shaded band of +-1 sd where given. */
export function lineChartSvg(opts: LineChartOptions, labelOrder: readonly string[]): string {
  const width = 640;
  const height = 400;
  const left = 60;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const xs = opts.series.flatMap((s) => s.points.map((p) => p.x));
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  const yMax = niceMax(Math.max(1e-9, ...opts.series.flatMap((s) => s.points.map((p) => p.y + (p.sd ?? 0)))));
  const sx = (x: number): number => left + ((x - xMin) / (xMax - xMin || 1)) * pw;
  const sy = (y: number): number => top + ph - (Math.max(0, y) / yMax) * ph;
  const parts: string[] = [header(width, height), text(10, 22, opts.title, 'font-size="15" font-weight="bold"')];
  for (let t = 0; t <= 5; t++) {
    const y = sy((yMax * t) / 5);
    parts.push(`<line x1="${left}" y1="${f(y)}" x2="${left + pw}" y2="${f(y)}" stroke="${t === 0 ? '#444' : '#ddd'}"/>`);
    parts.push(text(left - 6, y + 3, fmt((yMax * t) / 5), 'font-size="10" text-anchor="end"'));
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(text(sx(x), top + ph + 16, String(x), 'font-size="10" text-anchor="middle"'));
  }
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="#444"/>`);
  parts.push(text(left + pw / 2, height - 12, opts.xLabel, 'font-size="11" text-anchor="middle"'));
  parts.push(text(14, top + ph / 2, opts.yLabel, `font-size="11" text-anchor="middle" transform="rotate(-90 14 ${top + ph / 2})"`));
  opts.series.forEach((s, k) => {
    const colour = colourFor(Math.max(0, labelOrder.indexOf(s.label)));
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (pts.some((p) => (p.sd ?? 0) > 0)) {
      const upper = pts.map((p) => `${f(sx(p.x))},${f(sy(p.y + (p.sd ?? 0)))}`);
      const lower = pts.map((p) => `${f(sx(p.x))},${f(sy(p.y - (p.sd ?? 0)))}`).reverse();
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`);
    }
    parts.push(`<polyline points="${pts.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of pts) {
      parts.push(
        `<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3" fill="${colour}"><title>${esc(`${s.label} @${p.x}: ${p.y.toFixed(4)}`)}</title></circle>`,
      );
    }
    const ly = top + 10 + k * 18;
    parts.push(`<line x1="${left + pw + 15}" y1="${ly}" x2="${left + pw + 35}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(text(left + pw + 40, ly + 4, s.label, 'font-size="11"'));
  });
  parts.push('</svg>\n');
  return parts.join('\n');
}

function header(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>`;
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${f(x)}" y="${f(y)}" ${attrs}>${esc(content)}</text>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function f(x: number): string {
  return Number.isFinite(x) ? x.toFixed(1) : '0';
}

function fmt(x: number): string {
  return x === 0 ? '0' : x >= 0.1 ? x.toFixed(2) : x.toFixed(3);
}

// The smallest of 1, 2, 2.5, 5 x 10^k at or above x, so axis ticks are round numbers.
function niceMax(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
