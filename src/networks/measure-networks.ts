/**
 * Scratch measurement (prints, asserts nothing): edge counts per kind and build time of the
 * attribute networks for a CSV dataset under a few minSupport / topM settings.
 *   npx ts-node --transpile-only src/networks/measure-networks.ts /work/shared/data/ml100k-cast [...more dirs]
 */
import { collectDataset } from '../datasets/collect-dataset';
import { openCsvDataset } from '../datasets/csv-dataset';
import { buildAttributeNetworks, NetworkOptions } from './build-networks';

const SETTINGS: readonly NetworkOptions[] = [
  { minSupport: 1, topM: null },
  { minSupport: 2, topM: null },
  { minSupport: 3, topM: null },
  { minSupport: 1, topM: 100 },
  { minSupport: 1, topM: 50 },
  { minSupport: 1, topM: 20 },
  { minSupport: 2, topM: 50 },
];

async function measure(dir: string): Promise<void> {
  const started = Date.now();
  const data = await collectDataset(await openCsvDataset(dir));
  console.log(
    `${dir}: read ${data.interactions.length} interactions, ${data.items.length} items, ${data.attributes.length} attribute rows in ${Date.now() - started} ms`,
  );
  for (const setting of SETTINGS) {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const built = buildAttributeNetworks(data, { ...setting, edgeList: false });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const cpuMs = (process.cpuUsage(cpu).user + process.cpuUsage(cpu).system) / 1000;
    const s = built.stats;
    const edges = Object.entries(s.edgesPerKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(
      `  ${JSON.stringify(setting).padEnd(30)} users ${s.usersKept}/${s.usersTotal}, G ${s.coPurchaseEdges} | ${edges} | ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms)`,
    );
  }
}

async function main(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) await measure(dir);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
