import { basename, join } from 'node:path';
import { build } from 'esbuild';

/**
 * The explorer's front end (web/explorer, TypeScript) bundled by esbuild in memory when the API
 * starts: one path for development and production, nothing generated to go stale, and no build
 * step to forget before `npm run demo`. Output names carry a content hash, so browsers may cache
 * them for good; the report renderer is a separate chunk loaded only on the model page.
 */
export interface BundleFile {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface ExplorerBundle {
  /** File name (as served under /explorer/) -> content. */
  readonly files: ReadonlyMap<string, BundleFile>;
  /** The entry script and stylesheet names. */
  readonly script: string;
  readonly style: string;
  /** Bytes the first page load fetches: the entry script, its static imports and the stylesheet (no source maps, no lazy chunks). */
  readonly initialBytes: number;
}

/** web/ at the repository root, from src/explorer (ts-node) and dist/explorer (compiled) alike. */
export const WEB_ROOT = join(__dirname, '..', '..', 'web');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export async function buildExplorerBundle(webRoot: string = WEB_ROOT): Promise<ExplorerBundle> {
  const outdir = join(webRoot, 'out');
  const result = await build({
    absWorkingDir: webRoot,
    entryPoints: { explorer: join(webRoot, 'explorer', 'main.ts') },
    tsconfig: join(webRoot, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    splitting: true,
    minify: true,
    sourcemap: 'linked',
    target: ['chrome109', 'firefox115', 'safari16'],
    outdir,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files = new Map<string, BundleFile>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const extension = /\.[a-z]+$/.exec(name)?.[0] ?? '';
    files.set(name, { body: Buffer.from(file.contents), contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream' });
  }
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint !== undefined && o.entryPoint.endsWith('main.ts'));
  if (entry === undefined) throw new Error('esbuild produced no entry script for web/explorer/main.ts');
  const [entryPath, entryOutput] = entry;
  const style = entryOutput.cssBundle;
  if (style === undefined) throw new Error('esbuild produced no stylesheet for web/explorer/main.ts');
  const initial = [entryPath, style, ...entryOutput.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path)];
  const initialBytes = initial.reduce((sum, path) => sum + (files.get(basename(path))?.body.length ?? 0), 0);
  return { files, script: basename(entryPath), style: basename(style), initialBytes };
}
