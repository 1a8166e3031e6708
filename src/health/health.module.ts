import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { TrainingModule } from '../training/training.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [GraphModule, TrainingModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
