import { Controller, Get, Res } from '@nestjs/common';
import { HealthService, type HealthReport } from './health.service';

interface StatusResponse {
  status(code: number): unknown;
}

/** GET /health: 200 when Neo4j answers and a model is served, 503 otherwise (body says which). */
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async get(@Res({ passthrough: true }) res: StatusResponse): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
