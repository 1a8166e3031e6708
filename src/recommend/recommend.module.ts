import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { GraphModule } from '../graph/graph.module';
import { ServedModelModule } from '../served-model/served-model.module';
import { ExplanationRepository } from './explanation.repository';
import { RecommendResolver } from './recommend.resolver';
import { RecommendService } from './recommend.service';

@Module({
  imports: [GraphModule, CatalogModule, ServedModelModule],
  providers: [ExplanationRepository, RecommendService, RecommendResolver],
  exports: [RecommendService],
})
export class RecommendModule {}
