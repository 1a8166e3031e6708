import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { GraphModule } from '../graph/graph.module';
import { TrainingModule } from '../training/training.module';
import { ExplanationRepository } from './explanation.repository';
import { RecommendResolver } from './recommend.resolver';
import { RecommendService } from './recommend.service';

@Module({
  imports: [GraphModule, CatalogModule, TrainingModule],
  providers: [ExplanationRepository, RecommendService, RecommendResolver],
  exports: [RecommendService],
})
export class RecommendModule {}
