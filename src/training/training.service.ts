import { Injectable } from '@nestjs/common';
import { ModelRegistryService } from '../served-model/model-registry.service';
import type { ServedModel } from '../served-model/served-model';
import { TrainingJobService, type TrainingJob } from './training-job.service';
import type { RetrainOptionsInput } from './dto/retrain-options.input';
import { scoringPreset } from '../model/options';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import { TrainingRepository } from './training.repository';
import { TrainingErrorCode } from './training.errors';

/** The training feature's face to the API: the served model's description and retrain jobs. */
@Injectable()
export class TrainingService {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly jobs: TrainingJobService,
    private readonly repo: TrainingRepository,
  ) {}

  currentModel(): ServedModel {
    return this.registry.require();
  }

  /** Checks what can be checked now (the kinds, against the graph) so that a client mistake is an error, not a failed job. */
  async startRetrain(options: RetrainOptionsInput): Promise<TrainingJob> {
    if (options.kinds !== undefined) await this.checkKinds(options.kinds);
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

  private async checkKinds(kinds: readonly string[]): Promise<void> {
    const dataset = await this.repo.readDataset();
    if (dataset === null) {
      throw new DomainError(ErrorKind.InvalidInput, TrainingErrorCode.NoDataset, 'no dataset imported yet: run "eran import" first', {
        field: 'options.kinds',
      });
    }
    const unknown = kinds.filter((k) => !dataset.kinds.includes(k));
    if (unknown.length > 0) {
      throw new DomainError(
        ErrorKind.InvalidInput,
        TrainingErrorCode.UnknownKind,
        `options.kinds: unknown attribute kind ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${dataset.kinds.join(', ')})`,
        { field: 'options.kinds', unknown, known: dataset.kinds },
      );
    }
  }

  job(id: string): TrainingJob {
    return this.jobs.find(id);
  }
}
