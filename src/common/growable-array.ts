/** Typed arrays that grow by doubling, for columns whose length is known only once a stream ends. */
type TypedArray = Int32Array | Uint8Array | Uint32Array | Float32Array | Float64Array;

interface TypedArrayConstructor<T extends TypedArray> {
  new (length: number): T;
}

export class GrowableArray<T extends TypedArray> {
  length = 0;
  private data: T;

  constructor(
    private readonly make: TypedArrayConstructor<T>,
    capacity = 1024,
  ) {
    this.data = new make(Math.max(1, capacity));
  }

  push(x: number): void {
    if (this.length === this.data.length) this.reserve(this.length * 2);
    this.data[this.length++] = x;
  }

  pushAll(xs: ArrayLike<number>): void {
    if (this.length + xs.length > this.data.length) this.reserve(Math.max(this.data.length * 2, this.length + xs.length));
    for (let i = 0; i < xs.length; i++) this.data[this.length++] = xs[i];
  }

  get(index: number): number {
    return this.data[index];
  }

  set(index: number, x: number): void {
    this.data[index] = x;
  }

  /** A trimmed copy; the growable array stays usable. */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }

  private reserve(capacity: number): void {
    const next = new this.make(capacity);
    next.set(this.data);
    this.data = next;
  }
}
