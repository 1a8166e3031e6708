import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole, Role } from '../common/auth/roles';
import { RetrainOptionsInput } from './dto/retrain-options.input';
import { ModelInfoModel } from './models/model-info.model';
import { TrainingJobModel } from './models/training-job.model';
import { toModelInfo, toTrainingJobModel } from './training.mappers';
import { TrainingService } from './training.service';
import { TrainingJobArgs } from './dto/training-job.args';
import { ModelVersionArgs } from './dto/model-version.args';

@Resolver()
export class TrainingResolver {
  constructor(private readonly training: TrainingService) {}

  @Query(() => ModelInfoModel, { description: 'The model version being served (MODEL_NOT_READY before the first training).' })
  model(): ModelInfoModel {
    return toModelInfo(this.training.currentModel());
  }

  @Query(() => TrainingJobModel, { description: 'A retraining job by id.' })
  async trainingJob(@Args() args: TrainingJobArgs): Promise<TrainingJobModel> {
    return toTrainingJobModel(await this.training.job(args.id));
  }

  @Query(() => [String], { description: 'Complete checkpoint versions in the shared checkpoint folder, oldest first (what rollbackModel accepts).' })
  async modelVersions(): Promise<string[]> {
    return this.training.versions();
  }
}

/** Admin mutations: the role sits on the class so that no new method can forget it. */
@Resolver()
@RequireRole(Role.Admin)
export class TrainingAdminResolver {
  constructor(private readonly training: TrainingService) {}

  @Mutation(() => TrainingJobModel, {
    description:
      'Starts retraining from the current graph (admin API key; one job at a time across all replicas): in a worker thread of this ' +
      'replica (TRAINING_MODE=inline, status RUNNING) or queued for `eran worker` (TRAINING_MODE=worker, status QUEUED). ' +
      'The new version is published to every replica only if every step succeeds, quality gate included.',
  })
  async retrainModel(@Args('options', { type: () => RetrainOptionsInput, nullable: true }) options?: RetrainOptionsInput): Promise<TrainingJobModel> {
    return toTrainingJobModel(await this.training.startRetrain(options ?? new RetrainOptionsInput()));
  }

  @Mutation(() => ModelInfoModel, {
    description:
      'Serves an earlier checkpoint version (any complete one in the checkpoint folder: see modelVersions) on every replica (admin API key). ' +
      'This replica serves it when the mutation returns; the others switch within seconds.',
  })
  async rollbackModel(@Args() args: ModelVersionArgs): Promise<ModelInfoModel> {
    return toModelInfo(await this.training.rollback(args.version));
  }
}
