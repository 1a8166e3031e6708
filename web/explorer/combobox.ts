import { h, uniqueId } from './dom';

/**
 * A type-ahead box following the WAI-ARIA combobox pattern: the input keeps focus, arrow keys
 * move through the suggestions (aria-activedescendant), Enter picks, Escape closes. Suggestions
 * come from `search`, called after a short pause in typing; a slower, stale answer is dropped.
 */
export interface ComboboxOptions<T> {
  readonly label: string;
  readonly placeholder?: string;
  readonly hint?: string;
  readonly search: (text: string, signal: AbortSignal) => Promise<readonly T[]>;
  readonly optionText: (option: T) => string;
  readonly onPick: (option: T) => void;
  /** Enter with no suggestion highlighted: use the typed text as it is (e.g. a full user id). */
  readonly onEnterText?: (text: string) => void;
  /** Also search when the box is empty (e.g. the first users). */
  readonly searchEmpty?: boolean;
  readonly initial?: string;
}

const PAUSE_MS = 150;

export function combobox<T>(options: ComboboxOptions<T>): HTMLElement {
  const inputId = uniqueId('combo');
  const listId = uniqueId('combo-list');
  const hintId = uniqueId('combo-hint');
  const input = h('input', {
    id: inputId,
    type: 'text',
    role: 'combobox',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': options.hint ? hintId : null,
    placeholder: options.placeholder ?? '',
  });
  input.value = options.initial ?? '';
  const list = h('ul', { id: listId, role: 'listbox', class: 'combo-list', 'aria-label': options.label, hidden: true });
  const status = h('span', { class: 'visually-hidden', role: 'status' });
  let results: readonly T[] = [];
  /** The text the shown suggestions answer; Enter must not pick from an answer to older text. */
  let shownFor: string | null = null;
  let active = -1;
  let timer: number | undefined;
  let inflight: AbortController | null = null;

  const close = (): void => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const highlight = (index: number): void => {
    active = index;
    list.querySelectorAll('[role=option]').forEach((el, i) => el.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', `${listId}-${index}`);
      list.children[index]?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const pick = (index: number): void => {
    const option = results[index];
    if (option === undefined) return;
    input.value = options.optionText(option);
    close();
    options.onPick(option);
  };
  const show = (found: readonly T[], text: string | null): void => {
    results = found;
    shownFor = text;
    list.replaceChildren(
      ...found.map((option, i) =>
        h(
          'li',
          {
            id: `${listId}-${i}`,
            role: 'option',
            'aria-selected': 'false',
            onmousedown: (event: Event) => event.preventDefault(),
            onclick: () => pick(i),
          },
          options.optionText(option),
        ),
      ),
    );
    status.textContent = found.length === 0 ? 'No matches' : `${found.length} suggestions`;
    list.hidden = found.length === 0;
    input.setAttribute('aria-expanded', String(found.length > 0));
    highlight(found.length > 0 ? 0 : -1);
  };
  const run = async (): Promise<void> => {
    const text = input.value.trim();
    inflight?.abort();
    if (text === '' && !options.searchEmpty) {
      show([], text);
      return;
    }
    const controller = new AbortController();
    inflight = controller;
    try {
      const found = await options.search(text, controller.signal);
      if (inflight === controller) show(found, text);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'AbortError')) {
        status.textContent = error instanceof Error ? error.message : String(error);
        show([], null);
      }
    }
  };

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), PAUSE_MS);
  });
  input.addEventListener('focus', () => {
    if (input.value.trim() === '' && options.searchEmpty) void run();
  });
  input.addEventListener('blur', () => close());
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (list.hidden) {
        void run();
        return;
      }
      const step = event.key === 'ArrowDown' ? 1 : -1;
      highlight((active + step + results.length) % Math.max(1, results.length));
    } else if (event.key === 'Enter') {
      const text = input.value.trim();
      if (!list.hidden && active >= 0 && shownFor === text) {
        event.preventDefault();
        pick(active);
      } else if (text !== '') {
        // Typed faster than the suggestions came: use the text itself, or the first match for it.
        event.preventDefault();
        window.clearTimeout(timer);
        if (options.onEnterText) {
          inflight?.abort();
          close();
          options.onEnterText(text);
        } else {
          void run().then(() => pick(0));
        }
      }
    } else if (event.key === 'Escape') {
      close();
    }
  });

  return h(
    'div',
    { class: 'combo' },
    h('label', { for: inputId }, options.label),
    input,
    options.hint ? h('small', { id: hintId, class: 'hint' }, options.hint) : null,
    list,
    status,
  );
}
