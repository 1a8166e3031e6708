/** Tests run on the wasm backend, chosen explicitly through backend.ts. */
import { BackendChoice, initBackend } from '../backend';

export function useWasmBackend(): Promise<BackendChoice> {
  return initBackend({ prefer: 'wasm' });
}
