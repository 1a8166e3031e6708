import type { KindWeight } from './api-types';
import { h, uniqueId } from './dom';
import { kindColour } from './palette';

/** The user's attention over attribute kinds for this item, as bars with their numbers written out. */
export function renderAttention(attention: readonly KindWeight[], explainedKind: string): HTMLElement {
  const headingId = uniqueId('attention');
  return h(
    'section',
    { class: 'attention', 'aria-labelledby': headingId },
    h('h4', { id: headingId }, 'Attention over attribute kinds'),
    h(
      'ul',
      {},
      ...attention.map((a) => {
        const fill = h('span', { class: 'bar-fill' });
        fill.style.width = `${Math.max(0, Math.min(1, a.weight)) * 100}%`;
        fill.style.background = kindColour(a.kind);
        const explains = a.kind === explainedKind;
        return h(
          'li',
          { class: explains ? 'bar-row explains' : 'bar-row', 'data-kind': a.kind, 'data-weight': a.weight },
          h('span', { class: 'bar-label' }, a.kind),
          h('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
          h('span', { class: 'bar-value' }, percent(a.weight)),
          explains ? h('span', { class: 'bar-note' }, 'explains') : null,
        );
      }),
    ),
  );
}

export function percent(weight: number): string {
  return `${(weight * 100).toFixed(weight < 0.1 ? 1 : 0)}%`;
}
