import { Injectable } from '@nestjs/common';
import { ModelRegistryService } from '../served-model/model-registry.service';
import type { ServedModel } from '../served-model/served-model';
import { TrainingJobService, type TrainingJob } from './training-job.service';
import type { RetrainOptionsInput } from './dto/retrain-options.input';
import { scoringPreset } from '../model/options';

/** The training feature's face to the API: the served model's description and retrain jobs. */
@Injectable()
export class TrainingService {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly jobs: TrainingJobService,
  ) {}

  currentModel(): ServedModel {
    return this.registry.require();
  }

  startRetrain(options: RetrainOptionsInput): TrainingJob {
    return this.jobs.start({
      epochs: options.epochs,
      patience: options.patience,
      maxSeconds: options.maxSeconds,
      minValidationNdcg: options.minValidationNdcg,
      kinds: options.kinds,
      hyper: {
        hidden: options.hidden,
        learningRate: options.learningRate,
        alpha: options.alpha,
        batchSize: options.batchSize,
        reconstruction: options.reconstruction,
        variant: options.variant,
        itemBias: options.itemBias,
        seed: options.seed,
        // Last: a scoring mode's preset wins (mixture always has item bias and item vectors).
        ...scoringPreset(options.scoring),
      },
    });
  }

  job(id: string): TrainingJob {
    return this.jobs.find(id);
  }
}
