import { Controller, Get, Header, Res } from '@nestjs/common';
import { ModelRegistryService } from '../served-model/model-registry.service';
import { MetricsService } from './metrics.service';

interface PlainResponse {
  setHeader(name: string, value: string): void;
}

@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly registry: ModelRegistryService,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) res: PlainResponse): Promise<string> {
    this.metrics.modelItems.set(this.registry.current()?.engine.itemCount ?? 0);
    const { contentType, body } = await this.metrics.render();
    res.setHeader('content-type', contentType);
    return body;
  }
}
