/**
 * Which tfjs backend to use, as a user names it (ERAN_TF_BACKEND, --backend). Kept apart from
 * backend.ts so that the configuration can validate the name without loading any tfjs package.
 *
 * `tensorflow` is the name tfjs itself gives the native backend (what `tf.getBackend()` reports
 * for tfjs-node and tfjs-node-gpu alike): it takes whichever native package starts, GPU first.
 */
export type BackendPreference = 'auto' | 'tensorflow' | 'node-gpu' | 'node' | 'wasm' | 'cpu';

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'node-gpu', 'node', 'wasm', 'cpu'];

/** Other spellings people use for the same choices. */
const ALIASES: Readonly<Record<string, BackendPreference>> = { native: 'tensorflow', 'tfjs-node': 'node', 'tfjs-node-gpu': 'node-gpu', gpu: 'node-gpu' };

/** A backend name (any case; empty = auto) as a preference, or null when it names none. */
export function parseBackendPreference(raw: string | undefined): BackendPreference | null {
  const name = (raw ?? '').trim().toLowerCase();
  if (name === '') return 'auto';
  if ((BACKEND_PREFERENCES as readonly string[]).includes(name)) return name as BackendPreference;
  return ALIASES[name] ?? null;
}

/** The accepted names, for messages. */
export function backendPreferenceNames(): string {
  return `${BACKEND_PREFERENCES.join(' | ')} (aliases: ${Object.keys(ALIASES).join(', ')})`;
}
