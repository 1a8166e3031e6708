import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ServedModelModule } from '../served-model/served-model.module';
import { TrainingJobService } from './training-job.service';
import { TrainingJobRepository } from './training-job.repository';
import { TrainingAdminResolver, TrainingResolver } from './training.resolver';
import { TrainingService } from './training.service';

/** Retraining jobs and the served model's description in the API; the swap itself is the registry's. */
@Module({
  imports: [GraphModule, ServedModelModule],
  providers: [TrainingJobRepository, TrainingJobService, TrainingService, TrainingResolver, TrainingAdminResolver],
})
export class TrainingModule {}
