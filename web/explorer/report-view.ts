import { marked } from 'marked';
import type { ReportEntry } from './api-types';
import { fill, h } from './dom';

/**
 * An evaluation report as the evaluation wrote it (report.md: tables, charts, reading), rendered
 * with `marked`. Parsed into an inert <template> so relative chart links are rewritten to
 * /reports/NAME/ before anything loads.
 */
export async function renderReport(target: HTMLElement, report: ReportEntry): Promise<void> {
  const base = `/reports/${encodeURIComponent(report.name)}/`;
  const response = await fetch(`${base}report.md`);
  if (!response.ok) throw new Error(`report ${report.name}: HTTP ${response.status}`);
  const template = document.createElement('template');
  template.innerHTML = await marked.parse(await response.text(), { async: true, gfm: true });
  const content = template.content;
  for (const img of content.querySelectorAll('img')) {
    const src = img.getAttribute('src') ?? '';
    if (!/^[a-z]+:|^\//i.test(src)) img.setAttribute('src', base + src);
    img.setAttribute('loading', 'lazy');
    if (!img.getAttribute('alt')) img.setAttribute('alt', `chart ${src}`);
  }
  for (const a of content.querySelectorAll('a')) {
    const href = a.getAttribute('href') ?? '';
    if (!/^[a-z]+:|^\/|^#/i.test(href)) a.setAttribute('href', base + href);
  }
  // The page owns h1 and h2: the report's headings sit two levels below.
  for (const heading of content.querySelectorAll('h1, h2, h3, h4')) {
    const level = Math.min(6, Number(heading.tagName.slice(1)) + 2);
    const demoted = document.createElement(`h${level}`);
    demoted.append(...heading.childNodes);
    heading.replaceWith(demoted);
  }
  // Wide tables scroll inside the page instead of widening it.
  for (const table of content.querySelectorAll('table')) {
    const wrap = h('div', { class: 'table-scroll' });
    table.replaceWith(wrap);
    wrap.append(table);
  }
  fill(target, content);
}
