/**
 * The backend tests run on, chosen explicitly through backend.ts: wasm unless ERAN_TEST_BACKEND
 * names another (jest's `unit-native` project sets `node`, so the same specs run on both).
 */
import { BackendChoice, BackendPreference, initBackend } from '../backend';

export function testBackendPreference(): BackendPreference {
  return (process.env.ERAN_TEST_BACKEND as BackendPreference | undefined) ?? 'wasm';
}

export function useTestBackend(): Promise<BackendChoice> {
  return initBackend({ prefer: testBackendPreference() });
}

/** The tfjs backend name the test project's preference activates. */
export function expectedTestBackendName(): string {
  const prefer = testBackendPreference();
  return prefer === 'node' || prefer === 'node-gpu' ? 'tensorflow' : prefer;
}
