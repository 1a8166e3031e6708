import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ModelRegistryService } from './model-registry.service';
import { TrainingJobService } from './training-job.service';
import { TrainingAdminResolver, TrainingResolver } from './training.resolver';
import { TrainingService } from './training.service';

/**
 * Model versions and retraining. Exports the registry (the served model is what every
 * model-backed feature reads) and nothing else.
 */
@Module({
  imports: [GraphModule],
  providers: [ModelRegistryService, TrainingJobService, TrainingService, TrainingResolver, TrainingAdminResolver],
  exports: [ModelRegistryService],
})
export class TrainingModule {}
