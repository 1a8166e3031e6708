/**
 * Cross-file checks a single-file reader cannot make: every interaction and attribute row must
 * name an item of the items file. Problems are DataFormatErrors naming the referring file and
 * line, under the usual throw/skip policy.
 */
import { DataFormatError, ReadOptions } from './dataset.types';
import type { Located, LocatedDatasetSource } from './located';

export interface ReferenceReport {
  readonly items: number;
  readonly interactions: number;
  readonly attributes: number;
  readonly unknownInteractionItems: number;
  readonly unknownAttributeItems: number;
}

export async function validateReferences(source: LocatedDatasetSource, options: ReadOptions = {}): Promise<ReferenceReport> {
  const known = new Set<string>();
  for await (const x of source.locatedItems(options)) known.add(x.record.item);
  const check = async (rows: AsyncIterable<Located<{ readonly item: string }>>): Promise<[number, number]> => {
    let total = 0;
    let unknown = 0;
    for await (const x of rows) {
      total++;
      if (known.has(x.record.item)) continue;
      unknown++;
      const error = new DataFormatError(x.file, x.line, 'item', `unknown item ${JSON.stringify(x.record.item)} (absent from the items file)`);
      if (options.onInvalid !== 'skip') throw error;
      options.onSkip?.(error);
    }
    return [total, unknown];
  };
  const [interactions, unknownInteractionItems] = await check(source.locatedInteractions(options));
  const [attributes, unknownAttributeItems] = await check(source.locatedAttributes(options));
  return { items: known.size, interactions, attributes, unknownInteractionItems, unknownAttributeItems };
}
