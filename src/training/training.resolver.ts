import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole, Role } from '../common/auth/roles';
import { RetrainOptionsInput } from './dto/retrain-options.input';
import { ModelInfoModel } from './models/model-info.model';
import { TrainingJobModel } from './models/training-job.model';
import { toModelInfo, toTrainingJobModel } from './training.mappers';
import { TrainingService } from './training.service';
import { TrainingJobArgs } from './dto/training-job.args';

@Resolver()
export class TrainingResolver {
  constructor(private readonly training: TrainingService) {}

  @Query(() => ModelInfoModel, { description: 'The model version being served (MODEL_NOT_READY before the first training).' })
  model(): ModelInfoModel {
    return toModelInfo(this.training.currentModel());
  }

  @Query(() => TrainingJobModel, { description: 'A retraining job by id.' })
  trainingJob(@Args() args: TrainingJobArgs): TrainingJobModel {
    return toTrainingJobModel(this.training.job(args.id));
  }
}

/** Admin mutations: the role sits on the class so that no new method can forget it. */
@Resolver()
@RequireRole(Role.Admin)
export class TrainingAdminResolver {
  constructor(private readonly training: TrainingService) {}

  @Mutation(() => TrainingJobModel, {
    description:
      'Starts retraining from the current graph (admin API key; one job at a time), in a worker thread so that serving goes on. ' +
      'The new model replaces the served one only if every step succeeds.',
  })
  async retrainModel(@Args('options', { type: () => RetrainOptionsInput, nullable: true }) options?: RetrainOptionsInput): Promise<TrainingJobModel> {
    return toTrainingJobModel(await this.training.startRetrain(options ?? new RetrainOptionsInput()));
  }
}
