/** Mean and spread over seeds, and which differences the spread cannot resolve. */

export interface Spread {
  readonly mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  readonly sd: number;
  readonly n: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: 0, n };
  const ss = values.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

/**
 * True when two means differ by less than their combined spread (sd_a + sd_b): with a handful of
 * seeds such a difference is not evidence that one model is better. With one seed nothing is
 * flagged, since there is no spread to compare against (the report says so).
 */
export function withinSpread(a: Spread, b: Spread): boolean {
  if (a.n < 2 || b.n < 2) return false;
  return Math.abs(a.mean - b.mean) < a.sd + b.sd;
}

export function formatSpread(s: Spread, digits = 4): string {
  if (Number.isNaN(s.mean)) return 'n/a';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}
