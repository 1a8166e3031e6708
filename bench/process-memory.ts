/**
 * Peak resident memory of this process and of the local Neo4j processes (the server, or the bulk
 * importer while it runs), sampled from /proc: the import target is "peak RSS with Neo4j on the
 * same machine", so both sides count, and so does their sum at the same instant.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface MemoryPeaks {
  /** This process (Node). */
  readonly node: number;
  /** Processes whose command line names the Neo4j data folder (server, importer). */
  readonly neo4j: number;
  /** The largest sum of both at one sample. */
  readonly combined: number;
}

export class MemorySampler {
  private peaks = { node: 0, neo4j: 0, combined: 0 };
  private neo4jPids: number[] = [];
  private lastScan = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly dataDir: string,
    intervalMs = 500,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  /** Peaks since start (or the last reset). */
  snapshot(): MemoryPeaks {
    this.sample();
    return { ...this.peaks };
  }

  reset(): void {
    this.peaks = { node: 0, neo4j: 0, combined: 0 };
  }

  stop(): MemoryPeaks {
    clearInterval(this.timer);
    return this.snapshot();
  }

  private sample(): void {
    const now = Date.now();
    // The server restarts during a bulk import and the importer is a new process: rescan often.
    if (now - this.lastScan > 2000) {
      this.neo4jPids = findProcesses(this.dataDir);
      this.lastScan = now;
    }
    const node = process.memoryUsage().rss;
    const neo4j = this.neo4jPids.reduce((sum, pid) => sum + rssOf(pid), 0);
    this.peaks.node = Math.max(this.peaks.node, node);
    this.peaks.neo4j = Math.max(this.peaks.neo4j, neo4j);
    this.peaks.combined = Math.max(this.peaks.combined, node + neo4j);
  }
}

function findProcesses(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle) && cmdline.includes('java')) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}
