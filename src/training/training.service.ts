import { Injectable } from '@nestjs/common';
import { ModelRegistryService } from '../served-model/model-registry.service';
import type { ServedModel } from '../served-model/served-model';
import { DomainError, ErrorKind } from '../common/errors/domain-error';
import { TrainingJobService } from './training-job.service';
import type { TrainingJob } from './training-job.repository';
import { TrainingErrorCode } from './training.errors';
import type { RetrainOptionsInput } from './dto/retrain-options.input';
import { scoringPreset } from '../model/options';
import { TrainingRepository } from './training.repository';

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

  async job(id: string): Promise<TrainingJob> {
    return this.jobs.find(id);
  }

  /** Complete checkpoint versions in CHECKPOINT_DIR, oldest first. */
  async versions(): Promise<string[]> {
    return this.registry.store.versions();
  }

  /**
   * Publishes an earlier (or any complete) checkpoint version for every replica and waits until
   * this replica serves it; the others switch on their next poll.
   */
  async rollback(version: string): Promise<ServedModel> {
    if (!(await this.registry.store.versions()).includes(version)) {
      throw new DomainError(ErrorKind.NotFound, TrainingErrorCode.VersionNotFound, `no complete checkpoint version "${version}" in the checkpoint folder`, {
        field: 'version',
      });
    }
    await this.registry.publish(version, 'rollbackModel');
    const model = this.registry.current();
    if (model?.version !== version) {
      // Published, but this replica could not load it (logged): say so rather than report success.
      throw new DomainError(
        ErrorKind.Conflict,
        TrainingErrorCode.VersionNotLoaded,
        `version "${version}" was published but could not be loaded here (see the server log)`,
        {
          field: 'version',
        },
      );
    }
    return model;
  }
}
