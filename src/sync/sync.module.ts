import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ChangeFeedService } from './change-feed.service';
import { SyncRepository } from './sync.repository';

/**
 * Replicas in step with the graph: the change log's poller. The write side is one Cypher step
 * (change-log.ts `changeStep`) that features append to their own write transactions.
 */
@Module({
  imports: [GraphModule],
  providers: [SyncRepository, ChangeFeedService],
  exports: [ChangeFeedService],
})
export class SyncModule {}
