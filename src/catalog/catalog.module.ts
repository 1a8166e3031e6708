import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module';
import { ServedModelModule } from '../served-model/served-model.module';
import { SyncModule } from '../sync/sync.module';
import { CatalogRepository } from './catalog.repository';
import { CatalogResolver } from './catalog.resolver';
import { CatalogService } from './catalog.service';
import { ItemResolver } from './item.resolver';

@Module({
  imports: [GraphModule, ServedModelModule, SyncModule],
  providers: [CatalogRepository, CatalogService, CatalogResolver, ItemResolver],
  exports: [CatalogService],
})
export class CatalogModule {}
