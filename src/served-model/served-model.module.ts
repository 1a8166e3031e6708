import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { SyncModule } from '../sync/sync.module';
import { ModelRegistryService } from './model-registry.service';
import { ServedModelRepository } from './served-model.repository';

/**
 * The served model: the active version and its swap (the registry), its scoring family, candidate
 * generation and checkpoints on disk. Every model-backed feature depends on this module; it
 * depends on none of them (the change-log poller tells it which version is published). Exports the
 * registry only.
 */
@Module({
  imports: [GraphModule, SyncModule],
  providers: [ServedModelRepository, ModelRegistryService],
  exports: [ModelRegistryService],
})
export class ServedModelModule {}
