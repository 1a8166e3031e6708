/**
 * The one module that chooses and initialises the TensorFlow.js backend. Nothing else in the
 * project imports a backend package.
 *
 * Order in `auto` mode: tfjs-node-gpu, tfjs-node (native libtensorflow: npm installs them where
 * Google's download host is reachable, `npm run native:setup` builds tfjs-node from PyPI's
 * TensorFlow wheel where it is not), wasm (SIMD when the runtime validates it), cpu. A forced
 * backend that cannot start throws: a silent fall back to the (10-50x slower) cpu backend would
 * turn a 10-minute training run into hours without anyone noticing.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BACKEND_PREFERENCES, type BackendPreference } from './backend-preference';

export { BACKEND_PREFERENCES, backendPreferenceNames, parseBackendPreference, type BackendPreference } from './backend-preference';

export interface BackendChoice {
  /** The tfjs backend name now active: `tensorflow` (tfjs-node[-gpu]), `wasm` or `cpu`. */
  readonly name: string;
  /** Why this backend was chosen, including why the ones before it were not. */
  readonly reason: string;
  /** wasm only: whether the SIMD binary is in use. */
  readonly simd?: boolean;
  /** wasm only: XNNPACK threads actually in use. */
  readonly threads?: number;
}

export interface InitBackendOptions {
  /** `auto` (default) or a forced backend (from ERAN_TF_BACKEND, read by src/config). */
  readonly prefer?: BackendPreference;
  /** Receives one line per decision; default: silent. */
  readonly log?: (message: string) => void;
}

/** Chooses, initialises and activates a backend. Safe to call more than once. */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  const prefer = options.prefer ?? 'auto';
  if (!BACKEND_PREFERENCES.includes(prefer)) {
    throw new Error(`backend: expected one of ${BACKEND_PREFERENCES.join(', ')}, got ${String(prefer)}`);
  }
  const log = options.log ?? (() => undefined);
  const skipped: string[] = [];
  const attempts = ATTEMPTS[prefer];

  for (const attempt of attempts) {
    const outcome = await tryBackend(attempt);
    if (outcome.ok) {
      const why = prefer === 'auto' ? `auto: ${[...skipped, outcome.note].join('; ')}` : `forced (${prefer}): ${outcome.note}`;
      const choice: BackendChoice = { name: tf.getBackend(), reason: why, simd: outcome.simd, threads: outcome.threads };
      log(`tfjs backend ${choice.name}: ${choice.reason}`);
      return choice;
    }
    skipped.push(`${attempt} unavailable (${outcome.note})`);
  }
  if (prefer !== 'auto') throw new Error(`backend: forced ${prefer} could not start: ${skipped.join('; ')}`);
  throw new Error(`backend: no tfjs backend could start: ${skipped.join('; ')}`);
}

type Attemptable = Exclude<BackendPreference, 'auto' | 'tensorflow'>;

/** What each preference tries, in order; a forced one (anything but auto) never ends on another backend. */
const ATTEMPTS: Readonly<Record<BackendPreference, readonly Attemptable[]>> = {
  auto: ['node-gpu', 'node', 'wasm', 'cpu'],
  tensorflow: ['node-gpu', 'node'],
  'node-gpu': ['node-gpu'],
  node: ['node'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

interface Attempt {
  readonly ok: boolean;
  readonly note: string;
  readonly simd?: boolean;
  readonly threads?: number;
}

async function tryBackend(kind: Attemptable): Promise<Attempt> {
  switch (kind) {
    case 'node-gpu':
    case 'node':
      return tryNative(kind === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return (await tf.setBackend('cpu')) ? { ok: true, note: 'cpu (pure JS kernels, slowest)' } : { ok: false, note: 'cpu backend failed to initialise' };
    default:
      return { ok: false, note: `unknown backend ${kind}` };
  }
}

async function tryNative(pkg: string): Promise<Attempt> {
  const missing = missingBinding(pkg);
  if (missing !== null) return { ok: false, note: missing };
  // libtensorflow logs oneDNN and CPU-feature notices at start-up unless told otherwise; an
  // explicit setting by the operator wins.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  try {
    // A plain require so that the package stays optional: it registers the `tensorflow` backend.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg);
  } catch (error) {
    return { ok: false, note: `${pkg} not installed: ${firstLine(error)}` };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return { ok: false, note: `${pkg} loaded but the tensorflow backend failed to initialise` };
  }
  return { ok: true, note: `${pkg} (native libtensorflow)` };
}

/**
 * Why a native package cannot load, checked on disk first: requiring a package whose binding is
 * absent still loads the whole tfjs union bundle before it throws, and its message is a
 * node-pre-gyp path that tells a user nothing.
 */
function missingBinding(pkg: string): string | null {
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    return `${pkg} not installed (npm run native:setup builds tfjs-node without Google's download host)`;
  }
  const lib = path.join(path.dirname(manifest), 'lib');
  const built = fs.existsSync(lib) && fs.readdirSync(lib).some((dir) => fs.existsSync(path.join(lib, dir, 'tfjs_binding.node')));
  return built ? null : `${pkg} installed without its native binding (npm run native:setup builds it)`;
}

async function tryWasm(): Promise<Attempt> {
  if (tf.findBackend('wasm') === null) {
    // In Node the emscripten loader reads the .wasm with fs, so a plain directory path works;
    // the package's dist folder holds all three binaries (plain, SIMD, threaded SIMD).
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    try {
      setWasmPaths(dist);
    } catch (error) {
      return { ok: false, note: `setWasmPaths failed: ${firstLine(error)}` };
    }
  }
  let simd = false;
  try {
    simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    if (!(await tf.setBackend('wasm'))) {
      return { ok: false, note: 'wasm backend failed to initialise' };
    }
  } catch (error) {
    return { ok: false, note: `wasm initialisation threw: ${firstLine(error)}` };
  }
  const threads = getThreadsCount();
  // Multi-threaded wasm is disabled by tfjs in Node (tfjs issue #3830): forcing the flag loads
  // the threaded binary but XNNPACK still runs one thread, so we do not try.
  return {
    ok: true,
    simd,
    threads,
    note: `wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}; threads are unavailable to tfjs-wasm in Node)`,
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
