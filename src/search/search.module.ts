import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { GraphModule } from '../graph/graph.module';
import { SearchRepository } from './search.repository';
import { SearchResolver } from './search.resolver';
import { SearchService } from './search.service';

@Module({
  imports: [GraphModule, CatalogModule],
  providers: [SearchRepository, SearchService, SearchResolver],
  exports: [SearchService],
})
export class SearchModule {}
