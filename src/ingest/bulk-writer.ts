/**
 * Writes an import plan with Neo4j's own bulk importer (neo4j-admin database import full): the
 * plan becomes CSV files in the importer's header format, the local server is stopped, the
 * importer builds the store files directly (no transactions, no index lookups per row), the server
 * is started again and the constraints are created over the loaded data.
 *
 * Only for an EMPTY database served by this machine's launcher (scripts/neo4j.sh): the importer
 * replaces the whole database. Nothing half-written: the CSV files are complete before the server
 * stops, and if the importer fails the database is reset to empty (an import of no rows) before the
 * server starts again, so a failed bulk import leaves the empty database it started from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { csvField, writeCsvLines } from '../common/csv-writer';
import type { ProgressSink } from '../common/logging/progress';
import type { GraphWriter, PhaseTimer } from './graph-writer';
import { itemAttrs, kindNames, planRows, storedEndpoints, viaIds, type ImportPlan } from './import-plan';
import type { IngestRepository } from './ingest.repository';
import type { LocalNeo4j } from './local-neo4j';

/** Separates array elements and multiple labels: a control character no id or name should hold. */
const ARRAY_DELIMITER = '\u001f';

export class BulkImportUnsupportedError extends Error {
  constructor(problem: string) {
    super(`the bulk importer cannot take this dataset: ${problem}; use the transactional writer`);
    this.name = 'BulkImportUnsupportedError';
  }
}

interface CsvSet {
  readonly args: string[];
  readonly rows: number;
}

export class BulkWriter implements GraphWriter {
  readonly name = 'bulk';

  constructor(
    private readonly local: LocalNeo4j,
    private readonly repo: IngestRepository,
  ) {}

  async write(plan: ImportPlan, progress: ProgressSink, phase: PhaseTimer): Promise<void> {
    const dir = await mkdtemp(join(this.local.dataDir, 'bulk-import-'));
    try {
      let csvRows = 0;
      const csv = await phase(
        'csv files',
        () => csvRows,
        async () => {
          const written = await writeImportCsv(plan, dir, progress);
          csvRows = written.rows;
          return written;
        },
      );
      await phase(
        'stop neo4j',
        () => 0,
        () => this.local.stop(),
      );
      try {
        await phase(
          'neo4j-admin import',
          () => csv.rows,
          () => this.runImporter(csv.args, progress),
        );
      } catch (error) {
        await this.resetToEmpty(dir).catch((resetError: unknown) => {
          throw new Error(
            `${message(error)}; resetting the database to empty failed too (${message(resetError)}): ` +
              'it may hold part of the import; rerun the import with --reset',
          );
        });
        throw error;
      } finally {
        await phase(
          'start neo4j',
          () => 0,
          () => this.local.start(),
        );
      }
      // The first read retries over the connections the restart broke.
      await this.repo.isEmpty();
      await phase(
        'schema',
        () => 5,
        () => this.repo.migrate(),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async runImporter(args: readonly string[], progress: ProgressSink): Promise<void> {
    // The importer reports 4 stages (nodes, relationships, linking, post-processing), each 0-100%.
    progress.start('neo4j-admin import', 400, '%');
    let stage = 0;
    await this.local.bulkImport(args, (text) => {
      for (const m of text.matchAll(/\((\d)\/4\)|(\d{1,3})%/g)) {
        if (m[1] !== undefined) stage = Number(m[1]) - 1;
        else progress.tick(stage * 100 + Number(m[2]));
      }
    });
    progress.finish();
  }

  private async resetToEmpty(dir: string): Promise<void> {
    const empty = join(dir, 'empty.csv');
    await writeCsvLines(empty, 'id:ID', []);
    await this.local.bulkImport([`--nodes=${empty}`]);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The plan as the importer's CSV files; returns the importer's file arguments and the row count. */
export async function writeImportCsv(plan: ImportPlan, dir: string, progress: ProgressSink): Promise<CsvSet> {
  const { columns } = plan;
  let multiline = false;
  const field = (value: string | number | null): string => {
    if (typeof value === 'string') {
      if (value.includes(ARRAY_DELIMITER)) throw new BulkImportUnsupportedError(`the value ${JSON.stringify(value)} holds the character U+001F`);
      if (/[\r\n]/.test(value)) multiline = true;
    }
    return csvField(value);
  };
  const list = (values: readonly string[]): string => {
    for (const v of values) field(v);
    return csvField(values.join(ARRAY_DELIMITER));
  };
  const num = (x: number): string => (Number.isNaN(x) ? '' : String(x));
  const file = (name: string): string => join(dir, name);
  progress.start('csv files', planRows(plan), 'rows');
  let rows = 0;
  const counted = function* <T>(lines: Iterable<T>): Generator<T> {
    for (const line of lines) {
      if ((++rows & 0xffff) === 0) progress.tick(rows);
      yield line;
    }
  };

  const attrs = itemAttrs(plan);
  await writeCsvLines(
    file('items.csv'),
    'id:ID(Item),title,year:double,attrs:string[],:LABEL',
    counted(
      (function* () {
        for (let i = 0; i < columns.items.ids.length; i++) {
          yield `${field(columns.items.ids[i])},${field(columns.items.titles[i])},${num(columns.items.years[i])},${attrs[i].length > 0 ? list(attrs[i]) : ''},Item`;
        }
      })(),
    ),
  );
  await writeCsvLines(
    file('values.csv'),
    'uid:ID(Attribute),kind,id,name,:LABEL',
    counted(
      (function* () {
        for (const v of plan.values) {
          const kind = columns.values.kinds[v];
          yield `${field(columns.values.uids[v])},${field(kind)},${field(columns.values.ids[v])},${field(columns.values.names[v])},${list(['Attribute', kindNames(kind).label])}`;
        }
      })(),
    ),
  );
  await writeCsvLines(
    file('users.csv'),
    'id:ID(User),:LABEL',
    counted(
      (function* () {
        for (const id of plan.userIds) yield `${field(id)},User`;
      })(),
    ),
  );
  await writeCsvLines(
    file('has.csv'),
    ':START_ID(Item),:END_ID(Attribute),rank:double,:TYPE',
    counted(
      (function* () {
        for (const l of plan.links) {
          const v = columns.links.value[l];
          const rank = columns.links.rank[l];
          yield `${field(columns.items.ids[columns.links.item[l]])},${field(columns.values.uids[v])},${rank === 0 ? '' : rank},${kindNames(columns.values.kinds[v]).has}`;
        }
      })(),
    ),
  );
  await writeCsvLines(
    file('purchases.csv'),
    ':START_ID(User),:END_ID(Item),rating:double,at:double,:TYPE',
    counted(
      (function* () {
        for (const [rows, type] of [
          [plan.training, 'PURCHASED'],
          [plan.heldOut, 'HELD_OUT'],
        ] as const) {
          for (let u = 0; u < plan.userIds.length; u++) {
            const user = field(plan.userIds[u]);
            for (let q = rows.ptr[u]; q < rows.ptr[u + 1]; q++)
              yield `${user},${field(plan.itemIds[rows.item[q]])},${rows.rating[q]},${num(rows.time[q])},${type}`;
          }
        }
      })(),
    ),
  );
  const args = [
    `--nodes=${file('items.csv')}`,
    `--nodes=${file('values.csv')}`,
    `--nodes=${file('users.csv')}`,
    `--relationships=${file('has.csv')}`,
    `--relationships=${file('purchases.csv')}`,
  ];
  for (const net of plan.networks ?? []) {
    const name = `network-${net.kind}.csv`;
    await writeCsvLines(
      file(name),
      ':START_ID(Item),:END_ID(Item),weight:long,via:string[],:TYPE',
      counted(
        (function* () {
          for (let e = 0; e < net.edges.length; e++) {
            const [a, b] = storedEndpoints(plan.itemIds, net.edges.a[e], net.edges.b[e]);
            yield `${field(a)},${field(b)},${net.edges.w[e]},${list(viaIds(net, e))},${net.rel}`;
          }
        })(),
      ),
    );
    args.push(`--relationships=${file(name)}`);
  }
  progress.finish();
  args.push('--array-delimiter=\\u001F');
  if (multiline) args.push('--multiline-fields=true');
  return { args, rows };
}
