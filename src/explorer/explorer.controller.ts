import type { ServerResponse } from 'node:http';
import { Controller, Get, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import { EXPLORER_CSP } from './explorer-page';
import { ExplorerAssetsService } from './explorer-assets.service';

/** GET / (the explorer; deep links carry ?user= and ?item=) and its bundled files under /explorer/. */
@Controller()
export class ExplorerController {
  constructor(private readonly assets: ExplorerAssetsService) {}

  @Get()
  index(@Res({ passthrough: true }) res: ServerResponse): string {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', EXPLORER_CSP);
    // The page names the current bundle's hashed files: always revalidate it.
    res.setHeader('cache-control', 'no-cache');
    return this.assets.page();
  }

  @Get('explorer/:file')
  asset(@Param('file') name: string, @Res({ passthrough: true }) res: ServerResponse): StreamableFile {
    const file = this.assets.file(name);
    if (file === undefined) throw new NotFoundException(`no explorer file ${name}`);
    // Names carry a content hash: a changed file gets a new name.
    res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    return new StreamableFile(file.body, { type: file.contentType, length: file.body.length });
  }
}
