/**
 * Rank files: one `ranks-<protocol>-seed<s>.csv` per protocol and seed, shared by the models that
 * take part in it (model,protocol columns are added when there are several), so that anyone can
 * recompute every metric from the split files and these:
 *
 *   loo-sampled   user,item,score              every candidate (the target + the sampled negatives)
 *   loo-full      user,item,score,rank,target  the top 100 of each user's ranking, in ranking order,
 *                                              and the held-out item (target = 1; appended when it
 *                                              ranks below the 100); rank = 1 + other candidates
 *                                              scoring at least as high (the protocol's tie rule)
 *   cold-start    user,item,score              every (user, held-out item) pair
 *
 * Nothing is ever half-written: each model writes its rows to a part file of its own, which is
 * appended to the protocol's `.tmp` file only when the model has finished every protocol, and the
 * `.tmp` files are renamed to their final names when the seed is done. A model that fails leaves
 * no rows; a run that dies leaves `.tmp` and `.part` files, never a truncated ranks file.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type CsvWriter, csvLine, openCsvWriter } from './csv';
import type { ProtocolName, ScoreSink, TopListRows } from './protocols';

export interface RankExport {
  readonly dir: string;
  readonly protocols: readonly ProtocolName[];
  /** Per protocol: several models share the file, so rows name theirs. */
  readonly tagged: Readonly<Partial<Record<ProtocolName, boolean>>>;
  /** Full ranking: rows kept per user (default 100). */
  readonly fullTop?: number;
}

export const DEFAULT_FULL_TOP = 100;

export function rankFileName(protocol: ProtocolName, seed: number): string {
  return `ranks-${protocol}-seed${seed}.csv`;
}

export function rankHeader(protocol: ProtocolName, tagged: boolean): string[] {
  const base = protocol === 'loo-full' ? ['user', 'item', 'score', 'rank', 'target'] : ['user', 'item', 'score'];
  return tagged ? [...base, 'model', 'protocol'] : base;
}

function partPath(dir: string, protocol: ProtocolName, seed: number, model: string): string {
  return join(dir, `.${rankFileName(protocol, seed)}.${model.replace(/[^A-Za-z0-9_-]+/g, '_')}.part`);
}

/** The writing side, in whatever process fits the model: its rows go to its part files. */
export interface RankParts {
  readonly sampled?: ScoreSink;
  readonly full?: (userIndex: number, rows: TopListRows) => void;
  readonly cold?: ScoreSink;
  close(): Promise<void>;
}

export async function openRankParts(
  exp: RankExport | undefined,
  seed: number,
  model: string,
  ids: { readonly loo: { userIds: readonly string[]; itemIds: readonly string[] }; readonly cold?: { userIds: readonly string[]; itemIds: readonly string[] } },
  protocols: readonly ProtocolName[],
): Promise<RankParts> {
  const wanted = (exp?.protocols ?? []).filter((p) => protocols.includes(p));
  if (!exp || wanted.length === 0) return { close: async () => undefined };
  await fs.mkdir(exp.dir, { recursive: true });
  const writers: CsvWriter[] = [];
  const open = (protocol: ProtocolName): { writer: CsvWriter; tail: (string | number)[] } => {
    // Parts carry no header: the protocol's file gets one when it is created.
    const writer = openCsvWriter(partPath(exp.dir, protocol, seed, model), null);
    writers.push(writer);
    return { writer, tail: exp.tagged[protocol] ? [model, protocol] : [] };
  };
  const scoreSink = (protocol: ProtocolName, userIds: readonly string[], itemIds: readonly string[]): ScoreSink => {
    const { writer, tail } = open(protocol);
    return (u, cands, scores) => {
      for (let k = 0; k < cands.length; k++) writer.write([userIds[u]!, itemIds[cands[k]!]!, scores[k]!, ...tail]);
    };
  };
  const out: { -readonly [K in keyof RankParts]?: RankParts[K] } = {};
  if (wanted.includes('loo-sampled')) out.sampled = scoreSink('loo-sampled', ids.loo.userIds, ids.loo.itemIds);
  if (wanted.includes('cold-start') && ids.cold) out.cold = scoreSink('cold-start', ids.cold.userIds, ids.cold.itemIds);
  if (wanted.includes('loo-full')) {
    const { writer, tail } = open('loo-full');
    const { userIds, itemIds } = ids.loo;
    out.full = (u, rows) => {
      for (let r = 0; r < rows.items.length; r++) {
        writer.write([userIds[u]!, itemIds[rows.items[r]!]!, rows.scores[r]!, rows.ranks[r]!, r === rows.targetRow ? 1 : 0, ...tail]);
      }
    };
  }
  return {
    ...out,
    async close() {
      for (const w of writers) await w.close();
    },
  };
}

/** The committing side, in the harness: one per seed. */
export class RankFileSet {
  private readonly started = new Set<ProtocolName>();

  constructor(
    private readonly exp: RankExport | undefined,
    private readonly seed: number,
  ) {}

  /** Appends the model's parts to the protocols' temporary files and removes the parts. */
  async commit(model: string, protocols: readonly ProtocolName[]): Promise<void> {
    const exp = this.exp;
    if (!exp) return;
    for (const protocol of protocols.filter((p) => exp.protocols.includes(p))) {
      const part = partPath(exp.dir, protocol, this.seed, model);
      if (!(await exists(part))) continue;
      const tmp = this.tmpPath(protocol);
      if (!this.started.has(protocol)) {
        await fs.writeFile(tmp, csvLine(rankHeader(protocol, exp.tagged[protocol] ?? false)));
        this.started.add(protocol);
      }
      await pipeline(createReadStream(part), createWriteStream(tmp, { flags: 'a' }));
      await fs.rm(part, { force: true });
    }
  }

  /** Removes whatever a failed model wrote. */
  async discard(model: string): Promise<void> {
    const exp = this.exp;
    if (!exp) return;
    for (const protocol of exp.protocols) await fs.rm(partPath(exp.dir, protocol, this.seed, model), { force: true });
  }

  /** Gives every file that received rows its final name; returns the final paths. */
  async finish(): Promise<string[]> {
    const exp = this.exp;
    if (!exp) return [];
    const done: string[] = [];
    for (const protocol of this.started) {
      const final = join(exp.dir, rankFileName(protocol, this.seed));
      await fs.rename(this.tmpPath(protocol), final);
      done.push(final);
    }
    return done;
  }

  private tmpPath(protocol: ProtocolName): string {
    return join(this.exp!.dir, `${rankFileName(protocol, this.seed)}.tmp`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
