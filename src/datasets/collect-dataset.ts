/**
 * Drains a streaming DatasetSource into arrays, for the in-memory paths (network builder,
 * evaluation, tests) that need the whole dataset anyway.
 */
import type { AttributeRecord, DatasetSource, InteractionRecord, ItemRecord, ReadOptions } from './dataset.types';

export interface CollectedDataset {
  readonly name: string;
  readonly kinds: readonly string[];
  readonly items: ItemRecord[];
  readonly attributes: AttributeRecord[];
  readonly interactions: InteractionRecord[];
}

export async function collectDataset(source: DatasetSource, opts?: ReadOptions): Promise<CollectedDataset> {
  const [items, attributes, interactions] = await Promise.all([drain(source.items(opts)), drain(source.attributes(opts)), drain(source.interactions(opts))]);
  return { name: source.name, kinds: source.kinds, items, attributes, interactions };
}

async function drain<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}
