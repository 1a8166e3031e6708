/**
 * Writes an import plan through Bolt in batches, one transaction per batch, MERGE everywhere
 * except the network edges (deleted per type first, then created), so that running the same
 * import again, after a success or after a failure half-way, converges to the same graph: the
 * transactional import is resumable by rerunning it. Works against any Neo4j, empty or not.
 */
import type { ProgressSink } from '../common/logging/progress';
import type { GraphWriter, PhaseTimer } from './graph-writer';
import { kindNames, storedEndpoints, viaIds, type ImportPlan } from './import-plan';
import type { AttributeValueRow, IngestRepository, ItemAttributeRow, NetworkEdgeRow, PurchaseRow, UserPurchases } from './ingest.repository';

export interface TransactionalWriterOptions {
  /** Empty the database first (an import that replaces what it holds). */
  readonly replace?: boolean;
  /** Rows per transaction (items, values, links, purchases). */
  readonly batchSize?: number;
  /** Network edges per transaction. */
  readonly edgeBatchSize?: number;
}

export class TransactionalWriter implements GraphWriter {
  readonly name = 'transactional';
  private readonly batchSize: number;
  private readonly edgeBatchSize: number;
  private readonly replace: boolean;

  constructor(
    private readonly repo: IngestRepository,
    options: TransactionalWriterOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.edgeBatchSize = options.edgeBatchSize ?? 10_000;
    this.replace = options.replace ?? false;
  }

  async write(plan: ImportPlan, progress: ProgressSink, phase: PhaseTimer): Promise<void> {
    const { columns } = plan;
    if (this.replace)
      await phase(
        'empty the database',
        () => 0,
        () => this.repo.deleteAll(),
      );
    await phase(
      'schema',
      () => 5,
      () => this.repo.migrate(),
    );

    const itemCount = columns.items.ids.length;
    await phase(
      'items',
      () => itemCount,
      () =>
        this.batches(progress, 'items', itemCount, this.batchSize, (from, to) => {
          const rows = [];
          for (let i = from; i < to; i++) {
            const year = columns.items.years[i];
            rows.push({ id: columns.items.ids[i], title: columns.items.titles[i], year: Number.isNaN(year) ? null : year });
          }
          return this.repo.mergeItems(rows);
        }),
    );

    await phase(
      'attributes',
      () => plan.values.length + plan.links.length,
      async () => {
        await this.batches(progress, 'attribute values', plan.values.length, this.batchSize, (from, to) => {
          const rows: AttributeValueRow[] = [];
          for (let p = from; p < to; p++) {
            const v = plan.values[p];
            rows.push({
              uid: columns.values.uids[v],
              kind: columns.values.kinds[v],
              id: columns.values.ids[v],
              name: columns.values.names[v],
              label: kindNames(columns.values.kinds[v]).label,
            });
          }
          return this.repo.mergeAttributeValues(rows);
        });
        await this.batches(progress, 'attribute links', plan.links.length, this.batchSize, (from, to) => {
          const rows: ItemAttributeRow[] = [];
          for (let p = from; p < to; p++) {
            const l = plan.links[p];
            const v = columns.links.value[l];
            const rank = columns.links.rank[l];
            rows.push({
              item: columns.items.ids[columns.links.item[l]],
              uid: columns.values.uids[v],
              rel: kindNames(columns.values.kinds[v]).has,
              rank: rank === 0 ? null : rank,
            });
          }
          return this.repo.linkAttributes(rows);
        });
      },
    );

    const purchaseRows = plan.training.item.length + plan.heldOut.item.length;
    await phase(
      'users+purchases',
      () => purchaseRows,
      () => this.writePurchases(plan, progress),
    );

    if (plan.networks !== null) {
      const total = plan.networks.reduce((n, net) => n + net.edges.length, 0);
      await phase(
        'network edges',
        () => total,
        async () => {
          await this.repo.deleteNetworkEdges(plan.networks!.map((n) => n.rel));
          progress.start('network edges', total, 'edges');
          let done = 0;
          for (const net of plan.networks!) {
            for (let from = 0; from < net.edges.length; from += this.edgeBatchSize) {
              const to = Math.min(net.edges.length, from + this.edgeBatchSize);
              const rows: NetworkEdgeRow[] = [];
              for (let e = from; e < to; e++) {
                const [a, b] = storedEndpoints(plan.itemIds, net.edges.a[e], net.edges.b[e]);
                rows.push({ a, b, weight: net.edges.w[e], via: viaIds(net, e) });
              }
              await this.repo.createNetworkEdges(net.rel, rows);
              done += to - from;
              progress.tick(done, { kind: net.kind });
            }
          }
          progress.finish();
        },
      );
    }
  }

  /** Users in batches of about batchSize purchases; a user's rows never straddle two batches. */
  private async writePurchases(plan: ImportPlan, progress: ProgressSink): Promise<void> {
    const { training, heldOut, itemIds, userIds } = plan;
    const total = training.item.length + heldOut.item.length;
    progress.start('users+purchases', total, 'rows');
    let users: UserPurchases[] = [];
    let held: PurchaseRow[] = [];
    let rows = 0;
    let done = 0;
    const flush = async (): Promise<void> => {
      await this.repo.mergeUsersAndPurchases(users, held);
      done += rows;
      progress.tick(done);
      users = [];
      held = [];
      rows = 0;
    };
    const at = (t: number): number | null => (Number.isNaN(t) ? null : t);
    for (let u = 0; u < userIds.length; u++) {
      const purchased = [];
      for (let q = training.ptr[u]; q < training.ptr[u + 1]; q++)
        purchased.push({ item: itemIds[training.item[q]], rating: training.rating[q], at: at(training.time[q]) });
      users.push({ id: userIds[u], purchased });
      for (let q = heldOut.ptr[u]; q < heldOut.ptr[u + 1]; q++)
        held.push({ user: userIds[u], item: itemIds[heldOut.item[q]], rating: heldOut.rating[q], at: at(heldOut.time[q]) });
      rows += purchased.length + heldOut.ptr[u + 1] - heldOut.ptr[u];
      if (rows >= this.batchSize) await flush();
    }
    if (users.length > 0) await flush();
    progress.finish();
  }

  private async batches(progress: ProgressSink, name: string, total: number, size: number, write: (from: number, to: number) => Promise<void>): Promise<void> {
    progress.start(name, total, 'rows');
    for (let from = 0; from < total; from += size) {
      const to = Math.min(total, from + size);
      await write(from, to);
      progress.tick(to);
    }
    progress.finish();
  }
}
