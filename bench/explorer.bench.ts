/**
 * npm run bench:explorer -- [--url http://127.0.0.1:3000] [--user 1] [--runs 10]
 *
 * Loads the explorer in Debian's Chromium (playwright-core) against a running API (`npm run demo`
 * or `eran serve`) and prints, per run and as medians: the bytes the first load fetches (page,
 * script, stylesheet), DOMContentLoaded, and the time until the user's recommendations are drawn
 * (every card's SVG in place), cold (fresh browser context, empty cache) and warm (reload).
 */
import { launchChromium } from '../test/e2e/setup/chromium';
import { benchCommand, finiteNumber } from './args';

interface Options {
  url: string;
  user: string;
  runs: number;
}

interface Sample {
  bytes: number;
  domContentLoadedMs: number;
  drawnMs: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o = benchCommand('bench:explorer', "the explorer's first load and drawing time in Chromium, against a running API")
    .option('--url <url>', 'the API', 'http://127.0.0.1:3000')
    .option('--user <id>', 'the user whose recommendations are drawn', '1')
    .option('--runs <n>', 'runs (cold and warm each)', finiteNumber, 10)
    .parse(argv)
    .opts<Options>();
  return { url: o.url.replace(/\/$/, ''), user: o.user, runs: Math.max(1, o.runs) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv);
  const browser = await launchChromium();
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  try {
    for (let run = 1; run <= o.runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      let bytes = 0;
      page.on('response', (response) => {
        const type = response.request().resourceType();
        if (type === 'document' || type === 'script' || type === 'stylesheet') {
          response.body().then(
            (body) => (bytes += body.length),
            () => undefined,
          );
        }
      });
      const measure = async (load: () => Promise<unknown>): Promise<Sample> => {
        bytes = 0;
        const started = Date.now();
        await load();
        await page.waitForSelector('body[data-ready="true"] .recs article.card svg.graph');
        const drawnMs = Date.now() - started;
        const domContentLoadedMs = await page.evaluate(() => {
          // Runs in the page: the browser's Navigation Timing entry (this file is typed for Node).
          const timing = performance as unknown as { getEntriesByType(type: string): Array<{ domContentLoadedEventEnd: number }> };
          return timing.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? Number.NaN;
        });
        return { bytes, domContentLoadedMs, drawnMs };
      };
      const first = await measure(() => page.goto(`${o.url}/?user=${encodeURIComponent(o.user)}`));
      const again = await measure(() => page.reload());
      cold.push(first);
      warm.push(again);
      console.log(
        `run ${run}: cold ${first.bytes} B, DOMContentLoaded ${first.domContentLoadedMs.toFixed(0)} ms, drawn ${first.drawnMs} ms; ` +
          `warm DOMContentLoaded ${again.domContentLoadedMs.toFixed(0)} ms, drawn ${again.drawnMs} ms`,
      );
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(
    `median over ${o.runs} runs (user ${o.user}): first load ${median(cold.map((s) => s.bytes))} B; ` +
      `cold DOMContentLoaded ${median(cold.map((s) => s.domContentLoadedMs)).toFixed(0)} ms, recommendations drawn ${median(cold.map((s) => s.drawnMs))} ms; ` +
      `warm DOMContentLoaded ${median(warm.map((s) => s.domContentLoadedMs)).toFixed(0)} ms, drawn ${median(warm.map((s) => s.drawnMs))} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(`bench:explorer: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
