import { describeError, graphql } from './api';
import type { AudienceMember, Explanation, ItemSummary, Recommendation, SimilarItem, UserDetails, UserSummary } from './api-types';
import { combobox } from './combobox';
import { fill, h } from './dom';
import { renderCard, type CardActions } from './explanation-card';
import { AUDIENCE, EXPLAIN, RANKING, RECOMMEND, RECORD_PURCHASE, SEARCH_ITEMS, SEARCH_USERS, SIMILAR, USER } from './queries';
import { describeChange } from './list-changes';
import { MAX_K, type ExplorerLocation } from './url-state';

export interface ViewContext {
  readonly navigate: (location: Partial<ExplorerLocation>) => void;
  readonly key: () => string;
  readonly announce: (message: string) => void;
}

/** How far down the user's ranking "why not" looks for an item's rank. */
const RANK_DEPTH = 100;

interface Loaded {
  readonly userId: string;
  readonly k: number;
  readonly user: UserDetails;
  readonly recommendations: readonly Recommendation[];
}

/**
 * A user's top-k, each explained and drawn; "why not this one?" for any item; deep links open a
 * user (`?user=`) or one explanation (`?user=&item=`).
 */
export class RecommendView {
  private loaded: Loaded | null = null;
  private readonly finder = h('section', { class: 'finder', 'aria-labelledby': 'finder-title' });
  private readonly userArea = h('div', { class: 'user-area' });
  private kInput: HTMLInputElement | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: ViewContext,
  ) {}

  async show(location: ExplorerLocation): Promise<void> {
    this.renderFinder(location);
    fill(this.root, this.finder, this.userArea);
    if (location.user === null) {
      this.loaded = null;
      fill(
        this.userArea,
        h(
          'p',
          { class: 'intro' },
          'Pick a user to see what the model recommends to them and why: each reason is drawn as the path in the graph that supports it.',
        ),
      );
      return;
    }
    if (this.loaded === null || this.loaded.userId !== location.user || this.loaded.k !== location.k) {
      fill(this.userArea, h('p', { class: 'muted', role: 'status' }, `Loading recommendations for user ${location.user}…`));
      try {
        this.loaded = await this.load(location.user, location.k);
      } catch (error) {
        this.loaded = null;
        fill(this.userArea, h('p', { class: 'error', role: 'alert' }, describeError(error)));
        return;
      }
    }
    await this.renderUser(this.loaded, location.item);
  }

  private renderFinder(location: ExplorerLocation): void {
    const kId = 'k-input';
    const k = h('input', { id: kId, type: 'number', min: 1, max: MAX_K, value: location.k, inputmode: 'numeric' });
    k.addEventListener('change', () => {
      const value = Math.max(1, Math.min(MAX_K, Math.round(Number(k.value)) || location.k));
      if (this.loaded !== null) this.ctx.navigate({ user: this.loaded.userId, k: value });
    });
    this.kInput = k;
    fill(
      this.finder,
      h('h2', { id: 'finder-title' }, 'Find a user'),
      h(
        'div',
        { class: 'finder-row' },
        combobox<UserSummary>({
          label: 'User id',
          placeholder: 'type the start of an id',
          hint: 'Suggestions as you type; Enter opens the highlighted user.',
          searchEmpty: true,
          initial: location.user ?? '',
          search: async (prefix, signal) => (await graphql<{ searchUsers: UserSummary[] }>(SEARCH_USERS, { prefix }, { signal })).searchUsers,
          optionText: (u) => `${u.id} · ${u.purchaseCount} purchases`,
          onPick: (u) => this.ctx.navigate({ user: u.id, k: this.currentK() }),
          onEnterText: (text) => this.ctx.navigate({ user: text, k: this.currentK() }),
        }),
        h('div', { class: 'field' }, h('label', { for: kId }, 'Recommendations'), k),
      ),
    );
  }

  private currentK(): number {
    const value = Math.round(Number(this.kInput?.value));
    return value >= 1 ? Math.min(MAX_K, value) : 5;
  }

  private async load(userId: string, k: number): Promise<Loaded> {
    const [userAnswer, recAnswer] = await Promise.all([
      graphql<{ user: UserDetails }>(USER, { userId }),
      graphql<{ recommend: Recommendation[] }>(RECOMMEND, { userId, k }),
    ]);
    return { userId, k, user: userAnswer.user, recommendations: recAnswer.recommend };
  }

  private async renderUser(loaded: Loaded, itemId: string | null, changes: string | null = null): Promise<void> {
    const { user, recommendations } = loaded;
    const purchases = h(
      'details',
      { class: 'purchases' },
      h('summary', {}, `${user.purchases.length} purchases`, user.heldOut > 0 ? `, ${user.heldOut} held out for evaluation` : ''),
      h('ol', {}, ...user.purchases.map((p) => h('li', { 'data-item-id': p.item.id }, p.item.title, h('span', { class: 'muted' }, ` rated ${p.rating}`)))),
    );
    const list = h(
      'ol',
      { class: 'recommendations', 'aria-label': `Recommendations for user ${user.id}` },
      ...recommendations.map((r) =>
        h('li', {}, renderCard({ userId: user.id, item: r.item, explanation: r.explanation, rank: r.rank, score: r.score }, this.actions(user.id))),
      ),
    );
    const focus = h('div', { class: 'focus' });
    fill(
      this.userArea,
      h('section', { class: 'user-head', 'aria-labelledby': 'user-title' }, h('h2', { id: 'user-title' }, `User ${user.id}`), purchases),
      changes === null ? null : h('p', { class: 'changes' }, changes),
      this.whyNot(user.id),
      focus,
      h(
        'section',
        { class: 'recs', 'aria-labelledby': 'recs-title' },
        h('h2', { id: 'recs-title' }, `Top ${recommendations.length} for user ${user.id}`),
        recommendations.length === 0 ? h('p', { class: 'muted' }, 'Nothing left to recommend.') : list,
      ),
    );
    if (itemId !== null) await this.renderFocus(focus, loaded, itemId);
  }

  private whyNot(userId: string): HTMLElement {
    return h(
      'section',
      { class: 'why-not', 'aria-labelledby': 'why-not-title' },
      h('h2', { id: 'why-not-title' }, 'Why not this one?'),
      combobox<ItemSummary>({
        label: 'Any item',
        placeholder: 'a title or an item id',
        hint: 'Explains any item for this user, whether it made the list or not.',
        search: async (text, signal) => (await graphql<{ searchItems: ItemSummary[] }>(SEARCH_ITEMS, { text }, { signal })).searchItems,
        optionText: (item) =>
          `${item.title}${item.year !== null ? ` (${item.year})` : ''} · id ${item.id}${item.coldStart ? ' · cold-start' : ''}${item.hidden ? ' · hidden' : ''}`,
        onPick: (item) => this.ctx.navigate({ user: userId, item: item.id, k: this.loaded?.k }),
      }),
    );
  }

  /** One item explained for the user, with where it stands and why it may be missing from the list. */
  private async renderFocus(target: HTMLElement, loaded: Loaded, itemId: string): Promise<void> {
    fill(target, h('p', { class: 'muted', role: 'status' }, `Explaining item ${itemId}…`));
    try {
      const [{ item, explain }, ranking] = await Promise.all([
        graphql<{ item: ItemSummary; explain: Explanation }>(EXPLAIN, { userId: loaded.userId, itemId }),
        graphql<{ recommend: Array<{ rank: number; item: { id: string } }> }>(RANKING, { userId: loaded.userId, k: RANK_DEPTH }),
      ]);
      const listed = loaded.recommendations.find((r) => r.item.id === itemId) ?? null;
      const ranked = ranking.recommend.find((r) => r.item.id === itemId) ?? null;
      const owned = loaded.user.purchases.some((p) => p.item.id === itemId);
      const standing = owned
        ? `User ${loaded.userId} already purchased it, so it is never recommended to them.`
        : item.hidden
          ? 'It is hidden, so it is never recommended.'
          : listed !== null
            ? `It is #${listed.rank} in the list below.`
            : ranked !== null
              ? `It ranks #${ranked.rank} for this user; the list shows the top ${loaded.k}.`
              : `It is not among this user's top ${RANK_DEPTH}.`;
      fill(
        target,
        h(
          'section',
          { class: 'focus-card', 'aria-labelledby': 'focus-title', 'data-item-id': itemId },
          h('h2', { id: 'focus-title' }, `Why ${item.title}?`),
          h('p', { class: 'standing' }, standing),
          renderCard(
            { userId: loaded.userId, item, explanation: explain, rank: ranked?.rank ?? null, score: listed?.score ?? null },
            this.actions(loaded.userId),
          ),
        ),
      );
      target.scrollIntoView({ block: 'start' });
    } catch (error) {
      fill(target, h('p', { class: 'error', role: 'alert' }, describeError(error)));
    }
  }

  private actions(userId: string): CardActions {
    return {
      similar: async (itemId) => (await graphql<{ similarItems: SimilarItem[] }>(SIMILAR, { itemId, userId })).similarItems,
      audience: async (itemId) => (await graphql<{ audience: AudienceMember[] }>(AUDIENCE, { itemId })).audience,
      purchase: async (itemId, rating) => {
        const { recordPurchase } = await graphql<{ recordPurchase: { positive: boolean; item: ItemSummary } }>(
          RECORD_PURCHASE,
          { userId, itemId, rating },
          { key: this.ctx.key() },
        );
        const before = this.loaded;
        const after = await this.load(userId, before?.k ?? this.currentK());
        this.loaded = after;
        const message = describeChange(recordPurchase.item.title, rating, recordPurchase.positive, before?.recommendations ?? [], after.recommendations);
        this.ctx.announce(message);
        await this.renderUser(after, null, message);
      },
    };
  }
}
