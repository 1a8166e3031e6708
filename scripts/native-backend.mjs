#!/usr/bin/env node
/**
 * Provides the native TensorFlow backend (@tensorflow/tfjs-node) where npm's own install cannot.
 *
 * tfjs-node's install script downloads libtensorflow from storage.googleapis.com. Where that host
 * is unreachable (only the package registries are), npm drops the optional package and the model
 * runs on wasm. PyPI's TensorFlow wheel carries the same C library (libtensorflow_cc.so.2 exports
 * the TF_* / TFE_* C API, with libtensorflow_framework.so.2) and its headers, so this script:
 *
 *   1. does nothing when tfjs-node already loads (a normal `npm ci` with internet access);
 *   2. installs the tfjs-node package without its install script (`npm install --no-save
 *      --ignore-scripts`, same version as package.json's optionalDependencies);
 *   3. downloads the pinned wheel once (sha256 checked), extracts the two libraries and the
 *      headers the binding includes into a cache folder, and deletes the wheel;
 *   4. builds tfjs-node's binding with npm's own node-gyp against them (once; the built binding
 *      is cached too, so after the next `npm ci` this step is a copy);
 *   5. checks that the backend starts and runs the gradient of gather (a kernel wasm lacks).
 *
 * Usage: node scripts/native-backend.mjs [--strict] [--force] [--gpu] [--from DIR] [--quiet]
 *   --strict  exit 1 when the native backend cannot be provided (CI); default: one line saying
 *             why, exit 0, and the model runs on wasm.
 *   --force   rebuild the binding even when a cached one exists.
 *   --gpu     build @tensorflow/tfjs-node-gpu instead, against a CUDA build of the library
 *             (--from DIR: a folder holding libtensorflow_cc.so.2, libtensorflow_framework.so.2
 *             and include/, e.g. site-packages/tensorflow of `pip install tensorflow[and-cuda]`;
 *             see scripts/gpu-check.sh).
 * Cache: $ERAN_NATIVE_CACHE, else $XDG_CACHE_HOME/eran-graph/native, else ~/.cache/eran-graph/native.
 * Python 3 is needed (node-gyp needs it anyway); it unpacks the wheel with its zipfile module.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The pinned C library: tensorflow-cpu 2.21.0's manylinux x86_64 wheel (any Python tag carries the same library). */
const WHEEL = {
  tensorflowVersion: '2.21.0',
  file: 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
  url: 'https://files.pythonhosted.org/packages/59/03/9a99555a762de8cd4a405efbd39a732d926d8e58791441889560b7675b3e/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl',
  sha256: '2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c',
  bytes: 273829956,
};
const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];
const ROOT_HEADERS = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'];
/** tfjs-node 4.x ships N-API builds; node-pre-gyp picks the highest version both support. */
const NAPI_VERSION = 8;

const args = new Set(process.argv.slice(2));
const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const strict = args.has('--strict');
const force = args.has('--force');
const gpu = args.has('--gpu');
const quiet = args.has('--quiet');
const fromDir = argValue('--from');
const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
const started = Date.now();

const say = (message) => process.stderr.write(`native-backend: ${message}\n`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

main().catch((error) => {
  const why = error instanceof Error ? error.message : String(error);
  say(`${pkg} unavailable (${why.split('\n')[0]}); the model will run on wasm`);
  process.exit(strict ? 1 : 0);
});

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the PyPI route is prepared for linux x64 only, this is ${process.platform} ${process.arch}; use npm's own install of ${pkg}`);
  }
  const first = check();
  if (first.ok) {
    if (!quiet) say(`${pkg} already loads: backend ${first.backend} (${first.note})`);
    return;
  }
  const version = pinnedVersion();
  const cache = cacheDir();
  const libKey = gpu ? `tf-from-${hashText(path.resolve(fromDir ?? 'missing'))}` : `tf-${WHEEL.tensorflowVersion}-cpu`;
  const libDir = path.join(cache, libKey);
  const bindingCache = path.join(libDir, `${pkg.split('/')[1]}-${version}-napi-v${NAPI_VERSION}`, 'tfjs_binding.node');

  const pkgDir = ensurePackage(version);
  if (gpu) {
    if (!fromDir) throw new Error('--gpu needs --from DIR (a CUDA build of the TensorFlow C library)');
    stageFrom(fromDir, libDir);
  } else {
    await ensureLibrary(libDir, pkgDir);
  }
  linkDeps(libDir, pkgDir);
  const moduleDir = path.join(pkgDir, 'lib', `napi-v${NAPI_VERSION}`);
  fs.mkdirSync(moduleDir, { recursive: true });
  if (!force && fs.existsSync(bindingCache)) {
    fs.copyFileSync(bindingCache, path.join(moduleDir, 'tfjs_binding.node'));
    say(`binding copied from the cache (${path.relative(os.homedir(), bindingCache)})`);
  } else {
    build(pkgDir, moduleDir);
    fs.mkdirSync(path.dirname(bindingCache), { recursive: true });
    fs.copyFileSync(path.join(moduleDir, 'tfjs_binding.node'), bindingCache);
  }
  const last = check();
  if (!last.ok) throw new Error(`built, but the backend does not start: ${last.note}`);
  say(`${pkg} ready in ${elapsed()}: backend ${last.backend} (${last.note}); libraries in ${libDir} (${(dirBytes(libDir) / 2 ** 20).toFixed(0)} MiB)`);
}

function pinnedVersion() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const version = manifest.optionalDependencies?.[pkg] ?? manifest.dependencies?.[pkg];
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`package.json must pin ${pkg} to an exact version, found ${version}`);
  return version;
}

function cacheDir() {
  const base = process.env.ERAN_NATIVE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'eran-graph', 'native');
  fs.mkdirSync(base, { recursive: true });
  return base;
}

/** The package's folder, installed without its (downloading) install script when npm dropped it. */
function ensurePackage(version) {
  const dir = path.join(ROOT, 'node_modules', ...pkg.split('/'));
  const installed = fs.existsSync(path.join(dir, 'package.json')) && JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version === version;
  if (installed && fs.existsSync(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'package.json'))) return dir;
  say(`installing ${pkg}@${version} without its install script`);
  run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${pkg}@${version}`], { cwd: ROOT });
  if (!fs.existsSync(path.join(dir, 'binding.gyp'))) throw new Error(`npm install left no ${pkg}/binding.gyp`);
  return dir;
}

async function ensureLibrary(libDir, pkgDir) {
  const marker = path.join(libDir, '.extracted');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === WHEEL.sha256) return;
  fs.mkdirSync(libDir, { recursive: true });
  const wheel = path.join(libDir, WHEEL.file);
  if (!fs.existsSync(wheel) || (await sha256File(wheel)) !== WHEEL.sha256) await download(WHEEL.url, wheel, WHEEL.sha256, WHEEL.bytes);
  say(`extracting the C library and headers from ${WHEEL.file}`);
  extractWheel(wheel, libDir, bindingIncludes(pkgDir));
  fs.writeFileSync(marker, `${WHEEL.sha256}\n`);
  fs.rmSync(wheel);
}

async function download(url, target, sha256, bytes) {
  say(`downloading ${path.basename(target)} (${(bytes / 2 ** 20).toFixed(0)} MiB) from PyPI`);
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`download failed: HTTP ${response.status} for ${url}`);
  const partial = `${target}.partial`;
  const out = fs.createWriteStream(partial);
  const hash = createHash('sha256');
  let got = 0;
  const downloadStarted = Date.now();
  let lastReport = downloadStarted;
  for await (const chunk of response.body) {
    hash.update(chunk);
    got += chunk.length;
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    const now = Date.now();
    if (now - lastReport > (process.stderr.isTTY ? 500 : 10000)) {
      lastReport = now;
      const rate = (got / Math.max(1, now - downloadStarted)) * 1000;
      const eta = rate > 0 ? Math.round((bytes - got) / rate) : 0;
      const line = `download ${(got / 2 ** 20).toFixed(0)}/${(bytes / 2 ** 20).toFixed(0)} MiB, eta ${eta} s`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
      else process.stderr.write(`${JSON.stringify({ msg: 'native-backend download', done: got, total: bytes, etaSeconds: eta })}\n`);
    }
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const digest = hash.digest('hex');
  if (digest !== sha256) {
    fs.rmSync(partial, { force: true });
    throw new Error(`checksum mismatch for ${path.basename(target)}: expected sha256 ${sha256}, got ${digest}`);
  }
  fs.renameSync(partial, target);
}

/** The quoted includes of the binding's own sources: the headers it needs beyond the C API. */
function bindingIncludes(pkgDir) {
  const dir = path.join(pkgDir, 'binding');
  const found = new Set();
  for (const name of fs.readdirSync(dir)) {
    if (!/\.(cc|h)$/.test(name)) continue;
    for (const match of fs.readFileSync(path.join(dir, name), 'utf8').matchAll(/#include\s+"(tensorflow\/[^"]+)"/g)) found.add(match[1]);
  }
  return [...found];
}

/** Extracts the two libraries and the closure of headers that the C API and the binding include. */
function extractWheel(wheel, libDir, extraHeaders) {
  const program = `
import re, sys, zipfile, os
wheel, out, libs, roots = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split(',')
z = zipfile.ZipFile(wheel)
names = set(z.namelist())
def put(member, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(member) as src, open(dest + '.partial', 'wb') as dst:
        while True:
            block = src.read(1 << 22)
            if not block: break
            dst.write(block)
    os.replace(dest + '.partial', dest)
for lib in libs:
    put('tensorflow/' + lib, os.path.join(out, 'lib', lib))
todo, seen = list(roots), set()
while todo:
    h = todo.pop()
    if h in seen: continue
    seen.add(h)
    member = 'tensorflow/include/' + h
    if member not in names: sys.exit('header missing from the wheel: ' + h)
    text = z.read(member).decode('utf-8', 'replace')
    todo.extend(re.findall(r'#include\\s+"([^"]+)"', text))
    put(member, os.path.join(out, 'include', h))
print(len(seen))
`;
  const result = spawnSync('python3', ['-c', program, wheel, libDir, LIBRARIES.join(','), [...ROOT_HEADERS, ...extraHeaders].join(',')], { encoding: 'utf8' });
  if (result.error) throw new Error(`python3 is needed to unpack the wheel: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`unpacking the wheel failed: ${result.stderr.trim() || result.stdout.trim()}`);
}

/** A CUDA build from elsewhere (e.g. a pip-installed tensorflow[and-cuda]): staged like the wheel's. */
function stageFrom(from, libDir) {
  for (const name of LIBRARIES) {
    if (!fs.existsSync(path.join(from, name))) throw new Error(`--from ${from}: ${name} not found`);
    fs.mkdirSync(path.join(libDir, 'lib'), { recursive: true });
    linkOrCopy(path.join(from, name), path.join(libDir, 'lib', name));
  }
  const include = path.join(from, 'include');
  if (!fs.existsSync(path.join(include, ROOT_HEADERS[0]))) throw new Error(`--from ${from}: include/${ROOT_HEADERS[0]} not found`);
  fs.rmSync(path.join(libDir, 'include'), { recursive: true, force: true });
  fs.symlinkSync(include, path.join(libDir, 'include'));
}

/**
 * deps/ as the binding expects it: deps/include, and deps/lib with libtensorflow.so (what the link
 * line names) plus the sonames the built binding records. Hard links where the cache shares the
 * file system (no extra space, and they survive a cleared cache); symbolic links otherwise.
 */
function linkDeps(libDir, pkgDir) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(libDir, 'include'), path.join(deps, 'include'));
  const [cc, framework] = LIBRARIES;
  linkOrCopy(path.join(libDir, 'lib', cc), path.join(deps, 'lib', cc));
  linkOrCopy(path.join(libDir, 'lib', framework), path.join(deps, 'lib', framework));
  fs.symlinkSync(cc, path.join(deps, 'lib', 'libtensorflow.so'));
  fs.symlinkSync(cc, path.join(deps, 'lib', 'libtensorflow.so.2'));
  fs.symlinkSync(framework, path.join(deps, 'lib', 'libtensorflow_framework.so'));
}

function linkOrCopy(source, target) {
  fs.rmSync(target, { force: true });
  try {
    fs.linkSync(fs.realpathSync(source), target);
  } catch {
    fs.symlinkSync(fs.realpathSync(source), target);
  }
}

function build(pkgDir, moduleDir) {
  const gyp = nodeGyp();
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  const headers = fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodedir}`] : [];
  say(`building the binding with node-gyp (${headers.length ? `headers from ${nodedir}` : 'node-gyp fetches Node headers'})`);
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  run(
    gyp.command,
    [...gyp.args, 'rebuild', ...headers, `--module_name=tfjs_binding`, `--module_path=${moduleDir}`, `--napi_build_version=${NAPI_VERSION}`, '-j', jobs],
    { cwd: pkgDir },
  );
  if (!fs.existsSync(path.join(moduleDir, 'tfjs_binding.node'))) throw new Error('node-gyp reported success but wrote no tfjs_binding.node');
}

/** npm's own node-gyp (bundled with npm), else `npm exec node-gyp` from the registry. */
function nodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const which = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (which) candidates.push(path.join(path.dirname(fs.realpathSync(which)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((c) => fs.existsSync(c));
  return found ? { command: process.execPath, args: [found] } : { command: 'npm', args: ['exec', '--yes', '--', 'node-gyp'] };
}

/** Loads the package in a child process (a failed native load must not take this one down). */
function check() {
  const probe = `
process.env.TF_CPP_MIN_LOG_LEVEL = process.env.TF_CPP_MIN_LOG_LEVEL || '2';
const tf = require('@tensorflow/tfjs-core');
require(${JSON.stringify(pkg)});
(async () => {
  if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend(tensorflow) returned false');
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
  const g = tf.grad((t) => tf.sum(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'))))(x);
  const got = Array.from(g.dataSync()).join(',');
  if (got !== '1,1,0,0,2,2') throw new Error('gather gradient wrong: ' + got);
  console.log(JSON.stringify({ backend: tf.getBackend(), tf: tf.backend().binding?.TF_Version ?? 'native' }));
})().catch((e) => { console.error(e.message); process.exit(1); });`;
  const result = spawnSync(process.execPath, ['-e', probe], { cwd: ROOT, encoding: 'utf8' });
  if (result.status === 0) {
    const info = JSON.parse(result.stdout.trim().split('\n').pop());
    return { ok: true, backend: info.backend, note: `libtensorflow ${info.tf}` };
  }
  return {
    ok: false,
    note:
      (result.stderr || result.stdout)
        .trim()
        .split('\n')
        .filter((l) => !/^\s*at /.test(l))
        .slice(-1)[0] ?? 'unknown',
  };
}

function run(command, argv, options) {
  const result = spawnSync(command, argv, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Error(`${command} failed to start: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    process.stderr.write(`${tail}\n`);
    throw new Error(`${path.basename(command)} ${argv.slice(0, 2).join(' ')} exited with ${result.status}`);
  }
  return result.stdout;
}

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

function hashText(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function dirBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}
