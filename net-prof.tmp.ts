import { generateWorldTables, scaledWorldOptions, worldTablesSource } from './src/datasets/synthetic';
import { readDatasetColumns } from './src/datasets/dataset-columns';
import { buildTrainingSet } from './src/networks/training-set';
import { buildNetworks, kindValues } from './src/networks/build-networks';
async function main() {
  const [items, users, topM, minSupport] = process.argv.slice(2).map(Number);
  const tables = generateWorldTables(scaledWorldOptions({ items, users }));
  const columns = await readDatasetColumns(worldTablesSource(tables));
  const set = buildTrainingSet(columns);
  const values = kindValues(columns, set.itemOrder, ['actor', 'director', 'genre']);
  const c = process.cpuUsage(); const t = Date.now();
  const built = buildNetworks(set.training, set.itemIds, values, { minSupport, topM: topM > 0 ? topM : null });
  const cu = process.cpuUsage(c);
  console.log('networks', Date.now() - t, 'ms wall', ((cu.user + cu.system) / 1000).toFixed(0), 'ms cpu', built.kinds.map((k) => k.length), Array.from(built.edgesBeforeCap), built.coPurchaseEdges);
}
main();
