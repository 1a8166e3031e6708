/**
 * Progress for long work (import, network build, training, evaluation): a bar with rate and ETA on
 * a TTY, structured JSON lines otherwise (CI logs, files), at most one line per `intervalMs`.
 */
export interface ProgressSink {
  start(phase: string, total: number, unit?: string): void;
  tick(done: number, extra?: Readonly<Record<string, number | string>>): void;
  finish(extra?: Readonly<Record<string, number | string>>): void;
}

export interface ProgressOptions {
  readonly stream?: NodeJS.WriteStream;
  readonly tty?: boolean;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export class ConsoleProgress implements ProgressSink {
  private phase = '';
  private total = 0;
  private unit = 'rows';
  private done = 0;
  private startedAt = 0;
  private lastDrawAt = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? (this.tty ? 100 : 5000);
    this.now = options.now ?? Date.now;
  }

  start(phase: string, total: number, unit = 'rows'): void {
    this.phase = phase;
    this.total = Math.max(0, total);
    this.unit = unit;
    this.done = 0;
    this.startedAt = this.now();
    this.lastDrawAt = 0;
  }

  tick(done: number, extra: Readonly<Record<string, number | string>> = {}): void {
    this.done = done;
    const t = this.now();
    if (t - this.lastDrawAt < this.intervalMs) return;
    this.lastDrawAt = t;
    this.draw(extra, false);
  }

  finish(extra: Readonly<Record<string, number | string>> = {}): void {
    // A phase of unknown length (total 0) ends at the count it reached.
    this.done = Math.max(this.done, this.total);
    this.draw(extra, true);
  }

  private draw(extra: Readonly<Record<string, number | string>>, final: boolean): void {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const remaining = rate > 0 && this.total > this.done ? (this.total - this.done) / rate : 0;
    if (!this.tty) {
      const line = {
        level: 'info',
        time: new Date(this.now()).toISOString(),
        msg: final ? 'phase done' : 'progress',
        phase: this.phase,
        done: this.done,
        total: this.total,
        unit: this.unit,
        ratePerSec: Math.round(rate),
        elapsedSec: round1(elapsed),
        ...(this.total > 0 ? { etaSec: round1(remaining) } : {}),
        ...extra,
      };
      this.stream.write(`${JSON.stringify(line)}\n`);
      return;
    }
    const extras = Object.entries(extra)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    if (this.total === 0 && !final) {
      // A stream of unknown length: count and rate, no bar and no ETA.
      this.stream.write(`\r${this.phase.padEnd(18)} ${this.done} ${this.unit} ${Math.round(rate)}/s${extras ? ` ${extras}` : ''}\x1b[K`);
      return;
    }
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const text =
      `${this.phase.padEnd(18)} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
      `${this.done}/${this.total} ${this.unit} ${Math.round(rate)}/s ` +
      (final ? `done in ${formatSeconds(elapsed)}` : `ETA ${formatSeconds(remaining)}`) +
      (extras ? ` ${extras}` : '');
    this.stream.write(`\r${text}\x1b[K${final ? '\n' : ''}`);
  }
}

/** For tests and library callers that want silence. */
export const silentProgress: ProgressSink = {
  start: () => undefined,
  tick: () => undefined,
  finish: () => undefined,
};

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}m${String(s).padStart(2, '0')}s`;
}
