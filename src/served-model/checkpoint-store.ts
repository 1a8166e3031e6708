import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint, type LoadedCheckpoint } from '../model/checkpoint';

/**
 * Model versions on disk: one checkpoint directory per version under the configured folder,
 * named `v<UTC timestamp>` so that the newest sorts last. A version counts only once its
 * manifest.json exists (the model core writes it last), so a half-written directory from a crash
 * or a running job is never loaded.
 */
export class CheckpointStore {
  constructor(readonly root: string) {}

  /** A fresh, unused version name. */
  newVersion(now: Date = new Date()): string {
    return `v${now.toISOString().replace(/[-:]/g, '').replace('.', '')}`;
  }

  dirOf(version: string): string {
    if (!/^v[0-9TZ]+(-\d+)?$/.test(version)) throw new Error(`checkpoint version "${version}" is not of the form v<timestamp>`);
    return path.join(this.root, version);
  }

  async versions(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const complete: string[] = [];
    for (const entry of entries.filter((e) => /^v[0-9TZ]+(-\d+)?$/.test(e)).sort()) {
      try {
        await fs.access(path.join(this.root, entry, 'manifest.json'));
        complete.push(entry);
      } catch {
        // incomplete: skipped
      }
    }
    return complete;
  }

  async newest(): Promise<string | null> {
    const all = await this.versions();
    return all[all.length - 1] ?? null;
  }

  async load(version: string): Promise<LoadedCheckpoint> {
    return loadCheckpoint(this.dirOf(version), { withModel: true });
  }
}
