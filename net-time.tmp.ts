import { generateWorldTables, scaledWorldOptions, worldTablesSource } from './src/datasets/synthetic';
import { readDatasetColumns } from './src/datasets/dataset-columns';
import { buildTrainingSet } from './src/networks/training-set';
import { buildNetworks, kindValues } from './src/networks/build-networks';
async function main() {
  const [items, users, topM, minSupport] = process.argv.slice(2).map(Number);
  let t = Date.now();
  const lap = (what: string) => {
    console.log(what, ((Date.now() - t) / 1000).toFixed(1), 's rss', (process.memoryUsage().rss / 2 ** 20).toFixed(0));
    t = Date.now();
  };
  const tables = generateWorldTables(scaledWorldOptions({ items, users }));
  lap('generate');
  const columns = await readDatasetColumns(worldTablesSource(tables));
  lap('read columns');
  const set = buildTrainingSet(columns);
  lap('training set');
  const values = kindValues(columns, set.itemOrder, ['actor', 'director', 'genre']);
  lap('values');
  const built = buildNetworks(set.training, set.itemIds, values, { minSupport, topM: topM > 0 ? topM : null });
  lap('networks');
  console.log(
    built.kinds.map((k) => k.length),
    Array.from(built.edgesBeforeCap),
    built.coPurchaseEdges,
  );
}
main();
