import DataLoader from 'dataloader';

/**
 * Per-request DataLoaders, keyed by the GraphQL context object of the request: fields resolved for
 * many rows (an item's attributes, a recommendation's explanation) are collected during one tick
 * and fetched in ONE query. A new request gets new loaders, so nothing is cached across requests.
 */
const loaders = new WeakMap<object, Map<string, DataLoader<unknown, unknown>>>();

export function requestLoader<K, V>(
  context: object,
  name: string,
  batch: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
  cacheKey?: (key: K) => string,
): DataLoader<K, V, string | K> {
  let byName = loaders.get(context);
  if (byName === undefined) {
    byName = new Map();
    loaders.set(context, byName);
  }
  let loader = byName.get(name) as DataLoader<K, V, string | K> | undefined;
  if (loader === undefined) {
    loader = new DataLoader<K, V, string | K>(batch, cacheKey ? { cacheKeyFn: cacheKey } : {});
    byName.set(name, loader as DataLoader<unknown, unknown>);
  }
  return loader;
}
