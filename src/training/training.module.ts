import { Module } from '@nestjs/common';
import { GraphClient } from '../graph/graph-client';
import { GraphModule } from '../graph/graph.module';
import { ServedModelModule } from '../served-model/served-model.module';
import { TrainingJobService } from './training-job.service';
import { TrainingJobRepository } from './training-job.repository';
import { TrainingAdminResolver, TrainingResolver } from './training.resolver';
import { TrainingService } from './training.service';
import { TrainingRepository } from './training.repository';

/** Retraining jobs and the served model's description in the API; the swap itself is the registry's. */
@Module({
  imports: [GraphModule, ServedModelModule],
  providers: [
    { provide: TrainingRepository, inject: [GraphClient], useFactory: (graph: GraphClient) => new TrainingRepository(graph) },
    TrainingJobRepository,
    TrainingJobService,
    TrainingService,
    TrainingResolver,
    TrainingAdminResolver,
  ],
})
export class TrainingModule {}
