import { Module } from '@nestjs/common';
import { ExplorerAssetsService } from './explorer-assets.service';
import { ExplorerController } from './explorer.controller';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/**
 * The recommendation explorer at /: a browser front end (web/explorer) that talks to the GraphQL
 * API like any client, plus the evaluation reports it shows on its model page.
 */
@Module({
  controllers: [ExplorerController, ReportsController],
  providers: [ExplorerAssetsService, ReportsService],
})
export class ExplorerModule {}
