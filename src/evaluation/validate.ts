/** Argument checks whose messages say what was expected and what came. */

export function requireInteger(context: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${context}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

export function requirePositive(context: string, name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${context}: ${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

export function requireFinite(context: string, name: string, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${context}: ${name} must be a finite number, got ${String(value)}`);
  return value;
}
