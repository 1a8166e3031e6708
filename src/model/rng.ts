/** Samples up to this size are drawn without a Set (`sampleDistinct`). */
const SMALL_SAMPLE = 64;

/**
 * A small seeded PRNG (sfc32 seeded through splitmix32). Used for weight initialisation and
 * triplet sampling so that a run is reproducible from its seed on any backend: tfjs' own random
 * ops depend on the backend and on global state.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new Error(`rng seed: expected a finite number, got ${seed}`);
    }
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** `m` distinct integers from [0, n), uniformly (Floyd's algorithm), sorted ascending. */
  sampleDistinct(n: number, m: number): Int32Array {
    if (m > n) throw new Error(`sampleDistinct: expected m <= n, got m=${m}, n=${n}`);
    if (m <= SMALL_SAMPLE) {
      // The training steps draw hundreds of thousands of small samples (32 neighbours of an item):
      // a linear scan of at most 64 picks beats a Set, and makes the same picks from the same draws.
      const out = new Int32Array(m);
      let size = 0;
      for (let j = n - m; j < n; j++) {
        const t = this.int(j + 1);
        let seen = false;
        for (let q = 0; q < size; q++) {
          if (out[q] === t) {
            seen = true;
            break;
          }
        }
        out[size++] = seen ? j : t;
      }
      return out.sort();
    }
    const chosen = new Set<number>();
    for (let j = n - m; j < n; j++) {
      const t = this.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return Int32Array.from(chosen).sort();
  }
}
