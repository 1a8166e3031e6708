import { promises as fs } from 'node:fs';

/** Writes `content` to `path` under a temporary name first, so that no reader ever sees a partial file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, path);
}
