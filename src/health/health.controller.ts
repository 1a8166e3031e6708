import { Controller, Get, Res } from '@nestjs/common';
import { HealthService, type HealthReport } from './health.service';

interface StatusResponse {
  status(code: number): unknown;
}

/**
 * Readiness, GET /health (and /health/ready): 200 when Neo4j answers and a model is served, 503
 * otherwise (the body says which; `model.state` loading while the start-up model is activated).
 * Liveness, GET /health/live: 200 whenever the process answers at all, model or not, so that a
 * supervisor does not restart a server that is still activating its model.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async get(@Res({ passthrough: true }) res: StatusResponse): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: StatusResponse): Promise<HealthReport> {
    return this.get(res);
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
