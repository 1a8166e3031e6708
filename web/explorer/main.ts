import './explorer.css';
import { h } from './dom';
import { readKey, storeKey } from './key-store';
import { ModelView } from './model-view';
import { RecommendView, type ViewContext } from './recommend-view';
import { formatLocation, parseLocation, type ExplorerLocation } from './url-state';

/**
 * The explorer's shell: header with navigation and the write key, one live region for
 * announcements, and the view the URL names. Internal links change the view without a reload
 * (history API), so back/forward and shared links work alike.
 */
function start(): void {
  const app = document.getElementById('app');
  if (app === null) return;
  const ideEnabled = document.body.dataset.graphqlIde === 'true';

  const keyInput = h('input', { id: 'write-key', type: 'password', autocomplete: 'off', 'aria-describedby': 'write-key-hint' });
  keyInput.value = readKey();
  keyInput.addEventListener('change', () => storeKey(keyInput.value.trim()));
  // For screen readers: what a write changed is also shown where it happened (list, job card).
  const notice = h('div', { id: 'notice', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const main = h('main', { id: 'main', tabindex: -1 });
  const navLinks = {
    recommend: h('a', { href: '/' }, 'Recommendations'),
    model: h('a', { href: '/?view=model' }, 'Model'),
  };

  app.replaceChildren(
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('div', { class: 'brand' }, h('h1', {}, 'eRAN-graph explorer'), h('p', {}, 'Why was this recommended? Every reason is a path in the graph.')),
      h(
        'nav',
        { 'aria-label': 'Explorer' },
        navLinks.recommend,
        navLinks.model,
        ideEnabled ? h('a', { href: '/graphql', 'data-external': 'true' }, 'GraphQL IDE') : null,
      ),
      h(
        'div',
        { class: 'key' },
        h('label', { for: 'write-key' }, 'Write key'),
        keyInput,
        h('small', { id: 'write-key-hint' }, 'Sent only with writes, as Authorization: Bearer; kept for this tab.'),
      ),
    ),
    notice,
    main,
  );

  const ctx: ViewContext = {
    navigate: (location) => navigate(formatLocation(location)),
    key: () => keyInput.value.trim(),
    announce: (message) => {
      notice.textContent = message;
    },
  };
  const recommendView = new RecommendView(main, ctx);
  const modelView = new ModelView(main, ctx);
  let current: ExplorerLocation | null = null;

  const render = async (): Promise<void> => {
    const location = parseLocation(window.location.search);
    const viewChanged = current === null || current.view !== location.view;
    current = location;
    for (const [view, link] of Object.entries(navLinks)) {
      if (view === location.view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title =
      location.view === 'model' ? 'Model · eRAN-graph explorer' : location.user ? `User ${location.user} · eRAN-graph explorer` : 'eRAN-graph explorer';
    if (location.view === 'model') {
      await modelView.show();
    } else {
      modelView.leave();
      await recommendView.show(location);
    }
    if (viewChanged) main.focus({ preventScroll: true });
    document.body.dataset.ready = 'true';
  };

  const navigate = (url: string): void => {
    if (url !== window.location.pathname + window.location.search) window.history.pushState(null, '', url);
    notice.textContent = '';
    document.body.dataset.ready = 'false';
    void render();
  };

  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== '/' || link.dataset.external === 'true') return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => void render());
  void render();
}

start();
