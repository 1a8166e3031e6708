import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import type { UserHistory } from '../served-model/recommender-engine';
import { ModelRegistryService } from '../served-model/model-registry.service';
import type { ServedModel } from '../served-model/served-model';
import { CatalogRepository, ItemExistsError, type DatasetInfo, type ItemDetailRow, type UserDetailRow } from './catalog.repository';
import { CatalogErrorCode, itemNotFound, userNotFound } from './catalog.errors';
import { ItemDirectory, type AttributeValue, type DirectoryItem } from './item-directory';
import { PurchaseHistory } from './purchase-history';

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
}

export interface AddedItem {
  readonly item: DirectoryItem;
  /** Encoded by the served model (eq. 14) and so recommendable now. */
  readonly encoded: boolean;
  readonly neighbours: ReadonlyMap<string, number>;
}

const PAGE = 2000;

/**
 * Items, users and their purchases: the reads every request needs come from memory (item
 * directory, R_u per user), loaded from Neo4j at start-up; writes go to Neo4j first and update
 * memory after they commit, so memory never shows what the database does not hold.
 */
@Injectable()
export class CatalogService implements OnModuleInit {
  private readonly directory = new ItemDirectory();
  private readonly history = new PurchaseHistory();
  private dataset: DatasetInfo | null = null;

  constructor(
    private readonly repo: CatalogRepository,
    private readonly registry: ModelRegistryService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
    this.registry.onActivate((model) => this.encodeMissingItems(model));
  }

  // ---- reads ---------------------------------------------------------------------------------

  kinds(): readonly string[] {
    return this.dataset?.kinds ?? [];
  }

  /** The catalogue's size as of now. */
  workload(): Workload {
    return { items: this.directory.size, users: this.history.size, purchases: this.history.purchases };
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

  /** Full details (attributes, purchase counts) from the graph, for the given ids in one query. */
  async itemDetails(ids: readonly string[]): Promise<ItemDetailRow[]> {
    return this.repo.findItems(ids);
  }

  async user(userId: string): Promise<UserDetailRow> {
    const user = await this.repo.findUser(userId);
    if (user === null) throw userNotFound(userId);
    return user;
  }

  /** R_u as of now; null for an unknown user. */
  historyOf(userId: string): UserHistory | null {
    return this.history.history(userId);
  }

  requireHistory(userId: string): UserHistory {
    const history = this.history.history(userId);
    if (history === null) throw userNotFound(userId);
    return history;
  }

  /** Every item the user has (purchased, held out, rated): never recommended to them. */
  owned(userId: string): ReadonlySet<string> {
    return this.history.owned(userId);
  }

  histories(): Iterable<UserHistory> {
    return this.history.histories();
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
    return (itemId) => {
      const item = this.directory.get(itemId);
      if (item === undefined) return false;
      if (yearFrom !== undefined && (item.year === null || item.year < yearFrom)) return false;
      if (yearTo !== undefined && (item.year === null || item.year > yearTo)) return false;
      return sets.every((uids) => [...uids].some((uid) => item.attrs.has(uid)));
    };
  }

  /**
   * Whether a and b are linked in G_kind, decided in memory by the network's own rule (DESIGN 1):
   * they share a value of the kind and were co-purchased by at least minSupport users, or one of
   * them is a cold-start item (linked to every item sharing a value). Edges removed by an import's
   * top-M cap are the exception this cannot see; the explanation query checks the chosen anchor.
   */
  linkedInNetwork(kind: string, a: string, b: string): boolean {
    const ia = this.directory.get(a);
    const ib = this.directory.get(b);
    if (ia === undefined || ib === undefined) return false;
    const prefix = `${kind}:`;
    let shares = false;
    for (const uid of ia.attrs) {
      if (uid.startsWith(prefix) && ib.attrs.has(uid)) {
        shares = true;
        break;
      }
    }
    if (!shares) return false;
    return ia.coldStart || ib.coldStart || this.history.coPurchased(a, b, this.dataset?.minSupport ?? 1);
  }

  async sampleUserIds(limit: number): Promise<string[]> {
    return this.repo.listUserIds(limit);
  }

  // ---- writes --------------------------------------------------------------------------------

  /**
   * A rating above the dataset's positive threshold is a purchase: PURCHASED plus the attribute
   * network updates in one transaction, then R_u in memory, so the next recommend sees it. A lower
   * rating is recorded as RATED: the user has the item, but it is no positive (as at import).
   */
  async recordPurchase(userId: string, itemId: string, rating: number): Promise<PurchaseOutcome> {
    this.item(itemId);
    const dataset = this.requireDataset();
    const positive = rating > dataset.positiveThreshold;
    const at = Math.floor(Date.now() / 1000);
    // newUser comes from the database, under the user's lock: of concurrent first writes for one
    // user exactly one created it, whatever this process's memory said when they started.
    let newUser: boolean;
    if (positive) {
      newUser = await this.repo.recordPurchase(userId, itemId, rating, at, dataset.kinds, dataset.minSupport);
      this.history.addPurchase(userId, itemId);
    } else {
      newUser = await this.repo.recordRating(userId, itemId, rating, at);
      this.history.addOwned(userId, itemId);
    }
    return { userId, itemId, rating, positive, newUser, at };
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

  private async load(): Promise<void> {
    const started = Date.now();
    this.dataset = await this.repo.readDataset();
    for (const v of await this.repo.listAttributeValues()) this.directory.putValue(v);
    for (let after = ''; ;) {
      const page = await this.repo.listItemsPage(after, PAGE);
      for (const r of page) this.directory.putItem({ ...r, attrs: new Set(r.attrs) });
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    for (let after = ''; ;) {
      const page = await this.repo.listHistoriesPage(after, PAGE);
      for (const r of page) this.history.load(r.user, r.purchased, r.other);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.user;
    }
    this.logger.info(
      { items: this.directory.size, users: this.history.size, dataset: this.dataset?.source ?? null, ms: Date.now() - started },
      'catalog loaded',
    );
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
    for (let s = 0; s < missing.length; s += 500) {
      const chunk = missing.slice(s, s + 500);
      const links = await this.repo.networkNeighbours(chunk, [...model.kinds]);
      for (const id of chunk) model.engine.encodeNewItem(id, links.get(id) ?? new Map());
    }
    this.logger.info({ version: model.version, items: missing.length }, 'encoded items the model was not trained on');
  }
}

function itemExists(itemId: string): DomainError {
  return new DomainError(ErrorKind.InvalidInput, CatalogErrorCode.ItemExists, `input.id: an item with id "${itemId}" already exists`, { field: 'input.id' });
}
