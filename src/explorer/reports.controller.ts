import { Controller, Get } from '@nestjs/common';
import { ReportsService, type ReportEntry } from './reports.service';

/**
 * GET /reports lists the evaluation reports; their files (report.md, charts, results.json) are
 * served under /reports/NAME/ by Express' static middleware (see createApp).
 */
@Controller()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('reports')
  async list(): Promise<{ reports: ReportEntry[] }> {
    return { reports: await this.reports.list() };
  }
}
