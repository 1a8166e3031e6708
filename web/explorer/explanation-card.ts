import type { AudienceMember, Explanation, ExplanationMode, ItemSummary, SimilarItem } from './api-types';
import { describeError } from './api';
import { renderAttention } from './attention-view';
import { fill, h, uniqueId } from './dom';
import { explanationGraph } from './graph-model';
import { renderGraph } from './graph-view';
import { formatLocation } from './url-state';

/** One item explained for one user: title, score, sentence, the path drawn, the attention, actions. */
export interface CardData {
  readonly userId: string;
  readonly item: ItemSummary;
  readonly explanation: Explanation;
  /** Position in the user's list, when it is in it. */
  readonly rank: number | null;
  readonly score: number | null;
}

export interface CardActions {
  readonly similar: (itemId: string) => Promise<readonly SimilarItem[]>;
  readonly audience: (itemId: string) => Promise<readonly AudienceMember[]>;
  /** Records the purchase; the caller refreshes the list. */
  readonly purchase: (itemId: string, rating: number) => Promise<void>;
}

const MODE_NOTES: Record<ExplanationMode, string> = {
  SHARED_VALUE: 'They share a value of the attribute kind that explains it.',
  NETWORK_PATH: 'No value is shared: the drawing is the shortest path between them in that attribute network (co-purchased items sharing a value).',
  OTHER_VALUE: 'No link through the explaining kind: they share a value of another kind.',
  NONE: 'No link in the graph: only the purchase it is anchored on is shown.',
};

export function renderCard(data: CardData, actions: CardActions, headingLevel: 'h2' | 'h3' = 'h3'): HTMLElement {
  const { item, explanation: e } = data;
  const headingId = uniqueId('card-title');
  const panelId = uniqueId('card-panel');
  const panel = h('div', { id: panelId, class: 'card-panel', 'aria-live': 'polite', hidden: true });
  const heading = h(
    headingLevel,
    { id: headingId, class: 'card-title' },
    item.title,
    item.year !== null ? h('span', { class: 'year' }, ` (${item.year})`) : null,
  );

  const openPanel = async <T>(
    button: HTMLButtonElement,
    title: string,
    load: () => Promise<readonly T[]>,
    row: (x: T) => HTMLElement,
    empty: string,
  ): Promise<void> => {
    const open = button.getAttribute('aria-expanded') === 'true';
    for (const b of card.querySelectorAll('button[aria-controls]')) b.setAttribute('aria-expanded', 'false');
    if (open) {
      panel.hidden = true;
      return;
    }
    button.setAttribute('aria-expanded', 'true');
    panel.hidden = false;
    fill(panel, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const rows = await load();
      fill(panel, h('h4', {}, title), rows.length === 0 ? h('p', { class: 'muted' }, empty) : h('ol', { class: 'panel-list' }, ...rows.map(row)));
    } catch (error) {
      fill(panel, h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  };

  const similarButton = h('button', { type: 'button', 'aria-controls': panelId, 'aria-expanded': 'false' }, 'Similar items');
  similarButton.addEventListener(
    'click',
    () =>
      void openPanel(
        similarButton,
        `Items similar to ${item.title}, as user ${data.userId} weighs attributes`,
        () => actions.similar(item.id),
        (s: SimilarItem) =>
          h(
            'li',
            { 'data-item-id': s.item.id },
            h('a', { href: formatLocation({ user: data.userId, item: s.item.id }) }, s.item.title),
            s.item.coldStart ? h('span', { class: 'badge' }, 'cold-start') : null,
            h('span', { class: 'muted' }, ` similarity ${s.score.toFixed(3)}`),
          ),
        'No similar items.',
      ),
  );
  const audienceButton = h('button', { type: 'button', 'aria-controls': panelId, 'aria-expanded': 'false' }, 'Who would buy it?');
  audienceButton.addEventListener(
    'click',
    () =>
      void openPanel(
        audienceButton,
        `Users most likely to want ${item.title}${item.coldStart ? ' (a cold-start item: scored from its attribute values)' : ''}`,
        () => actions.audience(item.id),
        (m: AudienceMember) =>
          h(
            'li',
            { 'data-user-id': m.userId },
            h('a', { href: formatLocation({ user: m.userId, item: item.id }) }, `User ${m.userId}`),
            h('span', { class: 'muted' }, ` score ${m.score.toFixed(3)}`),
          ),
        'Nobody: the item is hidden.',
      ),
  );

  const ratingId = uniqueId('rating');
  const rating = h('select', { id: ratingId }, ...[5, 4, 3, 2, 1].map((v) => h('option', { value: v }, String(v))));
  const purchaseStatus = h('span', { class: 'purchase-status', role: 'status' });
  const purchaseButton = h('button', { type: 'submit' }, 'Record purchase');
  const purchaseForm = h(
    'form',
    { class: 'purchase', 'aria-label': `Record that user ${data.userId} purchased ${item.title}` },
    h('label', { for: ratingId }, 'Rating'),
    rating,
    purchaseButton,
    purchaseStatus,
  );
  purchaseForm.addEventListener('submit', (event) => {
    event.preventDefault();
    purchaseButton.disabled = true;
    purchaseStatus.textContent = 'Recording…';
    actions.purchase(item.id, Number(rating.value)).then(
      () => {
        purchaseStatus.textContent = 'Recorded.';
      },
      (error: unknown) => {
        purchaseButton.disabled = false;
        purchaseStatus.textContent = describeError(error);
        purchaseStatus.classList.add('error');
      },
    );
  });

  const card: HTMLElement = h(
    'article',
    { class: 'card', 'data-item-id': item.id, 'data-rank': data.rank ?? '', 'aria-labelledby': headingId },
    h(
      'header',
      { class: 'card-head' },
      data.rank !== null ? h('span', { class: 'rank', 'aria-label': `rank ${data.rank}` }, `#${data.rank}`) : null,
      heading,
      item.coldStart ? h('span', { class: 'badge' }, 'cold-start') : null,
      item.hidden ? h('span', { class: 'badge warn' }, 'hidden') : null,
      data.score !== null ? h('span', { class: 'score', title: 'The model’s score (higher is better)' }, `score ${data.score.toFixed(3)}`) : null,
    ),
    h('p', { class: 'sentence' }, e.text),
    h('div', { class: 'why' }, drawing(data), renderAttention(e.attention, e.attribute)),
    h(
      'p',
      { class: 'mode-note muted' },
      MODE_NOTES[e.mode],
      e.sharedValues.length > 1 ? ` Shared: ${e.sharedValues.map((v) => `${v.name} (${v.kind})`).join(', ')}.` : null,
    ),
    h(
      'div',
      { class: 'actions' },
      similarButton,
      audienceButton,
      purchaseForm,
      h('a', { class: 'permalink', href: formatLocation({ user: data.userId, item: item.id }) }, 'Link to this explanation'),
    ),
    panel,
  );
  return card;
}

function drawing(data: CardData): HTMLElement {
  const path = data.explanation.path;
  if (path === null || path.nodes.length === 0) return h('p', { class: 'graph-figure muted' }, 'No path in the graph to draw.');
  try {
    return renderGraph(explanationGraph(path, data.item.id), `Why ${data.item.title} for user ${data.userId}`);
  } catch (error) {
    return h('p', { class: 'error', role: 'alert' }, `The path could not be drawn: ${error instanceof Error ? error.message : String(error)}`);
  }
}
