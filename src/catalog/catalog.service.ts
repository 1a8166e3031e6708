import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import type { UserHistory } from '../served-model/recommender-engine';
import { ModelRegistryService } from '../served-model/model-registry.service';
import type { ServedModel } from '../served-model/served-model';
import { CatalogRepository, ItemExistsError, type DatasetInfo, type ItemDetailRow, type UserDetailRow } from './catalog.repository';
import { CatalogErrorCode, itemNotFound, userNotFound } from './catalog.errors';
import { ItemDirectory, type AttributeValue, type DirectoryItem } from './item-directory';
import { ChangeFeedService } from '../sync/change-feed.service';
import type { FeedEvent } from '../sync/change-log';
import { UserCache, type UserState } from './user-cache';

export interface AttributeConstraint {
  readonly kind: string;
  /** Value ids or names (case-insensitive); an item matches with any one of them. */
  readonly values: readonly string[];
  /** Input path for error messages, e.g. `filter.genres`. */
  readonly field: string;
}

export interface ItemFilter {
  readonly attributes: readonly AttributeConstraint[];
  readonly yearFrom?: number;
  readonly yearTo?: number;
}

export interface PurchaseOutcome {
  readonly userId: string;
  readonly itemId: string;
  readonly rating: number;
  /** Above the dataset's threshold: added to R_u and to the attribute networks. */
  readonly positive: boolean;
  readonly newUser: boolean;
  readonly at: number;
}

export interface NewItemInput {
  readonly id: string;
  readonly title: string;
  readonly year?: number | null;
  readonly attributes: ReadonlyArray<{ readonly kind: string; readonly value: string; readonly name?: string | null }>;
}

/** The sizes that decide how much work a serving field does (the API's query cost model). */
export interface Workload {
  readonly items: number;
  readonly users: number;
  /** Purchases (R_u entries) summed over users. */
  readonly purchases: number;
  /** Attribute kinds of the dataset (each has its own candidate sources). */
  readonly kinds: number;
}

export interface AddedItem {
  readonly item: DirectoryItem;
  /** Encoded by the served model (eq. 14) and so recommendable now. */
  readonly encoded: boolean;
  readonly neighbours: ReadonlyMap<string, number>;
}

const PAGE = 2000;

/** Items encoded into the served model per network read when a model is activated. */
const ENCODE_CHUNK = 500;

/**
 * Items, users and their purchases, with the graph as the only source of truth. The item directory
 * (catalogue-sized: titles, hidden flags, attribute values) is loaded at start-up; users are read
 * on demand into a bounded cache (user-cache.ts), so a replica's memory follows the users it
 * serves, not the user base. Writes go to Neo4j first, each with its change-log entry; this replica
 * applies its own at once, every other replica when it polls the log (sync/): purchases drop the
 * user's cached history, added or hidden items are read again.
 */
@Injectable()
export class CatalogService implements OnModuleInit {
  private directory = new ItemDirectory();
  private readonly users: UserCache;
  private dataset: DatasetInfo | null = null;

  constructor(
    private readonly repo: CatalogRepository,
    private readonly registry: ModelRegistryService,
    private readonly feed: ChangeFeedService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.users = new UserCache((userId) => this.repo.readUser(userId), config.replica.historyCacheBytes);
  }

  async onModuleInit(): Promise<void> {
    await this.load();
    this.registry.onActivate((model) => this.encodeMissingItems(model));
    this.feed.subscribe((event) => this.apply(event));
  }

  // ---- reads ---------------------------------------------------------------------------------

  kinds(): readonly string[] {
    return this.dataset?.kinds ?? [];
  }

  /** The catalogue's size as of the last change-log poll (users and purchases are counted in the graph). */
  workload(): Workload {
    const counts = this.feed.latest();
    return { items: this.directory.size, users: counts?.users ?? 0, purchases: counts?.purchases ?? 0, kinds: this.dataset?.kinds.length ?? 0 };
  }

  /** Users cached on this replica and the bytes they are accounted at. */
  cachedUsers(): { users: number; bytes: number } {
    return { users: this.users.size, bytes: this.users.bytes };
  }

  item(itemId: string, field = 'itemId'): DirectoryItem {
    const item = this.directory.get(itemId);
    if (item === undefined) throw itemNotFound(itemId, field);
    return item;
  }

  findItem(itemId: string): DirectoryItem | undefined {
    return this.directory.get(itemId);
  }

  value(uid: string): AttributeValue | undefined {
    return this.directory.value(uid);
  }

  /** How many items hold the attribute value. */
  valueHolders(uid: string): number {
    return this.directory.holders(uid);
  }

  /** Full details (attributes, purchase counts) from the graph, for the given ids in one query. */
  async itemDetails(ids: readonly string[]): Promise<ItemDetailRow[]> {
    return this.repo.findItems(ids);
  }

  async user(userId: string): Promise<UserDetailRow> {
    const user = await this.repo.findUser(userId);
    if (user === null) throw userNotFound(userId);
    return user;
  }

  /** R_u and the items the user has, as of the graph; null for an unknown user. */
  async userState(userId: string): Promise<UserState | null> {
    return this.users.get(userId);
  }

  async requireUser(userId: string): Promise<UserState> {
    const state = await this.users.get(userId);
    if (state === null) throw userNotFound(userId);
    return state;
  }

  /**
   * Every user's R_u, read from the graph page by page (audience ranks every user): the cost is
   * linear in purchases, as the query cost model prices it, and the memory is released after.
   */
  async allHistories(): Promise<UserHistory[]> {
    const out: UserHistory[] = [];
    for (let after = ''; ;) {
      const page = await this.repo.listHistoriesPage(after, PAGE);
      for (const r of page) out.push({ userId: r.user, purchased: r.purchased, version: r.rev });
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.user;
    }
    return out;
  }

  /** Whether an item may be shown at all (exists and is not hidden). */
  isVisible(itemId: string): boolean {
    const item = this.directory.get(itemId);
    return item !== undefined && !item.hidden;
  }

  /** A predicate over item ids; unknown values are an input error naming the field. */
  compileFilter(filter: ItemFilter): (itemId: string) => boolean {
    const sets = filter.attributes.map((c) => {
      if (!this.kinds().includes(c.kind)) {
        throw new DomainError(
          ErrorKind.InvalidInput,
          CatalogErrorCode.UnknownKind,
          `${c.field}: unknown attribute kind "${c.kind}" (known: ${this.kinds().join(', ')})`,
          { field: c.field },
        );
      }
      const uids = this.directory.resolveValues(c.kind, c.values);
      if (uids.size === 0) {
        throw new DomainError(
          ErrorKind.InvalidInput,
          CatalogErrorCode.UnknownValue,
          `${c.field}: no ${c.kind} named ${c.values.map((v) => `"${v}"`).join(' or ')}`,
          { field: c.field },
        );
      }
      return uids;
    });
    const { yearFrom, yearTo } = filter;
    const directory = this.directory;
    return (itemId) => {
      const item = directory.get(itemId);
      if (item === undefined) return false;
      if (yearFrom !== undefined && (item.year === null || item.year < yearFrom)) return false;
      if (yearTo !== undefined && (item.year === null || item.year > yearTo)) return false;
      return sets.every((uids) => [...uids].some((uid) => item.attrs.has(uid)));
    };
  }

  async sampleUserIds(limit: number): Promise<string[]> {
    return this.repo.listUserIds(limit);
  }

  // ---- writes --------------------------------------------------------------------------------

  /**
   * A rating above the dataset's positive threshold is a purchase: PURCHASED plus the attribute
   * network updates in one transaction, then the cached R_u dropped, so the next recommend sees it. A lower
   * rating is recorded as RATED: the user has the item, but it is no positive (as at import).
   */
  async recordPurchase(userId: string, itemId: string, rating: number): Promise<PurchaseOutcome> {
    this.item(itemId);
    const dataset = this.requireDataset();
    const positive = rating > dataset.positiveThreshold;
    const at = Math.floor(Date.now() / 1000);
    // newUser comes from the database, under the user's lock: of concurrent first writes for one
    // user exactly one created it, whatever this process's memory said when they started.
    const write = positive
      ? await this.repo.recordPurchase(userId, itemId, rating, at, dataset.kinds, dataset.minSupport)
      : await this.repo.recordRating(userId, itemId, rating, at);
    // Read again on the next request (read-your-writes here; other replicas when they poll).
    this.users.invalidate(userId);
    return { userId, itemId, rating, positive, newUser: write.newUser, at };
  }

  /**
   * A cold-start item: written and linked into every attribute network by its values (one
   * transaction), then encoded by the served model's encoders (eq. 14) so that it is recommendable
   * at once. Without a served model it is encoded when one is activated.
   */
  async addItem(input: NewItemInput): Promise<AddedItem> {
    const dataset = this.requireDataset();
    if (this.directory.get(input.id) !== undefined) throw itemExists(input.id);
    const seen = new Set<string>();
    const values = input.attributes.flatMap((a, index) => {
      if (!dataset.kinds.includes(a.kind)) {
        throw new DomainError(
          ErrorKind.InvalidInput,
          CatalogErrorCode.UnknownKind,
          `input.attributes[${index}].kind: unknown attribute kind "${a.kind}" (this dataset has ${dataset.kinds.join(', ')})`,
          { field: `input.attributes[${index}].kind` },
        );
      }
      const uid = `${a.kind}:${a.value}`;
      if (seen.has(uid)) return [];
      seen.add(uid);
      const known = this.directory.value(uid);
      return [{ kind: a.kind, value: a.value, name: a.name ?? known?.name ?? a.value, rank: index + 1 }];
    });
    try {
      await this.repo.createItem({ id: input.id, title: input.title, year: input.year ?? null, values }, dataset.kinds);
    } catch (error) {
      if (error instanceof ItemExistsError) throw itemExists(input.id);
      throw error;
    }
    for (const v of values) {
      const uid = `${v.kind}:${v.value}`;
      if (this.directory.value(uid) === undefined) this.directory.putValue({ uid, kind: v.kind, id: v.value, name: v.name });
    }
    const item: DirectoryItem = {
      id: input.id,
      title: input.title,
      year: input.year ?? null,
      hidden: false,
      coldStart: true,
      attrs: new Set(values.map((v) => `${v.kind}:${v.value}`)),
    };
    this.directory.putItem(item);
    const links = (await this.repo.networkNeighbours([input.id], dataset.kinds)).get(input.id) ?? new Map<string, string[]>();
    // Read the served model only now, after the awaits: a swap meanwhile must not get a stale engine.
    const model = this.registry.current();
    const encoded = model !== null && (model.engine.encodeNewItem(input.id, links) || model.engine.hasItem(input.id));
    this.logger.info({ itemId: input.id, encoded, neighbours: Object.fromEntries([...links].map(([k, ids]) => [k, ids.length])) }, 'cold-start item added');
    return { item, encoded, neighbours: new Map([...links].map(([k, ids]) => [k, ids.length])) };
  }

  async hideItem(itemId: string, hidden: boolean): Promise<DirectoryItem> {
    this.item(itemId);
    if (!(await this.repo.setHidden(itemId, hidden))) throw itemNotFound(itemId);
    this.directory.setHidden(itemId, hidden);
    return this.item(itemId);
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireDataset(): DatasetInfo {
    if (this.dataset === null) {
      throw new DomainError(ErrorKind.InvalidInput, CatalogErrorCode.NoDataset, 'no dataset imported yet: run "eran import" first');
    }
    return this.dataset;
  }

  /** The dataset and the item directory from the graph (start-up, and after a reset of the change log). */
  private async load(): Promise<void> {
    const started = Date.now();
    const dataset = await this.repo.readDataset();
    const directory = new ItemDirectory();
    for (const v of await this.repo.listAttributeValues()) directory.putValue(v);
    for (let after = ''; ;) {
      const page = await this.repo.listItemsPage(after, PAGE);
      for (const r of page) directory.putItem({ ...r, attrs: new Set(r.attrs) });
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    // Swapped whole: a request never sees half a directory.
    this.dataset = dataset;
    this.directory = directory;
    this.logger.info({ items: directory.size, dataset: dataset?.source ?? null, ms: Date.now() - started }, 'catalog loaded');
  }

  /** A change-log page from the poller (writes made through any replica, this one included). */
  private async apply(event: FeedEvent): Promise<void> {
    if (event.type === 'reset') {
      this.users.clear();
      await this.load();
      const model = this.registry.current();
      if (model !== null) await this.encodeMissingItems(model);
      return;
    }
    const items = new Set<string>();
    for (const change of event.batch.changes) {
      if (change.kind === 'user') this.users.invalidate(change.key, change.seq);
      else items.add(change.key);
    }
    if (items.size > 0) await this.refreshItems([...items]);
  }

  /** Items added, hidden or shown again elsewhere: read again; new ones are encoded by the served model. */
  private async refreshItems(ids: readonly string[]): Promise<void> {
    const added: string[] = [];
    for (const row of await this.repo.listItemsById(ids)) {
      for (const v of row.values) if (this.directory.value(v.uid) === undefined) this.directory.putValue(v);
      if (this.directory.get(row.id) === undefined) added.push(row.id);
      this.directory.putItem({ ...row, attrs: new Set(row.attrs) });
    }
    const model = this.registry.current();
    if (model !== null && added.length > 0) await this.encodeItems(model, added);
  }

  /** Activation hook: items the model has no codes for (added after its training data was read) are encoded before it serves. */
  private async encodeMissingItems(model: ServedModel): Promise<void> {
    const missing = [...this.directory.all()].filter((i) => !model.engine.hasItem(i.id)).map((i) => i.id);
    if (missing.length === 0) return;
    if (this.dataset !== null && model.dataset !== this.dataset.source) {
      // Codes computed from a different catalogue would be noise: leave those items unscored.
      this.logger.warn(
        { version: model.version, modelDataset: model.dataset, graphDataset: this.dataset.source, missing: missing.length },
        'the served model was trained on another dataset than the one in the graph: retrain it',
      );
      return;
    }
    await this.encodeItems(model, missing);
    this.logger.info({ version: model.version, items: missing.length }, 'encoded items the model was not trained on');
  }

  /** eq. 14 for items the model has no codes for, from their links in the attribute networks. */
  private async encodeItems(model: ServedModel, ids: readonly string[]): Promise<void> {
    for (let s = 0; s < ids.length; s += ENCODE_CHUNK) {
      const chunk = ids.slice(s, s + ENCODE_CHUNK).filter((id) => !model.engine.hasItem(id));
      if (chunk.length === 0) continue;
      const links = await this.repo.networkNeighbours(chunk, [...model.kinds]);
      for (const id of chunk) model.engine.encodeNewItem(id, links.get(id) ?? new Map());
    }
  }
}

function itemExists(itemId: string): DomainError {
  return new DomainError(ErrorKind.InvalidInput, CatalogErrorCode.ItemExists, `input.id: an item with id "${itemId}" already exists`, { field: 'input.id' });
}
