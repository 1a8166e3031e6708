import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ServedModelModule } from '../served-model/served-model.module';
import { SyncModule } from '../sync/sync.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [GraphModule, ServedModelModule, SyncModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
