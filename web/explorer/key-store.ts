/**
 * The write key a person typed: kept in sessionStorage (this tab only, gone when it closes) and
 * sent only with writes, never with reads.
 */
const KEY = 'eran.writeKey';

export function readKey(): string {
  try {
    return sessionStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function storeKey(value: string): void {
  try {
    if (value === '') sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, value);
  } catch {
    // Storage disabled: the key then lasts until the page is reloaded, which is still usable.
  }
}
