import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export interface ReportEntry {
  /** Folder name under the reports directory (also its URL: /reports/NAME/report.md). */
  readonly name: string;
  /** The report's first heading. */
  readonly title: string;
  /** SVG charts in the folder. */
  readonly charts: readonly string[];
}

/** The evaluation reports on disk: every folder of REPORTS_DIR holding a report.md. */
@Injectable()
export class ReportsService {
  readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = resolve(config.reportsDir);
  }

  async list(): Promise<ReportEntry[]> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch {
      return [];
    }
    const reports: ReportEntry[] = [];
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const folder = join(this.root, entry.name);
      const files = await readdir(folder);
      if (!files.includes('report.md')) continue;
      const markdown = await readFile(join(folder, 'report.md'), 'utf8');
      const title = /^#\s+(.+)$/m.exec(markdown)?.[1]?.trim() ?? entry.name;
      reports.push({ name: entry.name, title, charts: files.filter((f) => f.endsWith('.svg')).sort() });
    }
    return reports;
  }
}
