import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import { IDE_CSS, IDE_INIT_SCRIPT, type IdeAssetName } from './graphql-ide';

export const IDE_ASSETS = Symbol('IDE_ASSETS');

/** GraphiQL's files under /graphiql/ (404 when the IDE is off or not installed). */
@Controller('graphiql')
export class GraphqlIdeController {
  private readonly cache = new Map<string, Buffer>();

  constructor(@Inject(IDE_ASSETS) private readonly assets: ReadonlyMap<IdeAssetName, string> | null) {}

  @Get(':file')
  file(@Param('file') name: string, @Res({ passthrough: true }) res: ServerResponse): StreamableFile {
    if (this.assets === null) throw new NotFoundException('the GraphQL IDE is off');
    res.setHeader('cache-control', 'no-cache');
    if (name === 'init.js') return text(IDE_INIT_SCRIPT, 'text/javascript; charset=utf-8');
    if (name === 'ide.css') return text(IDE_CSS, 'text/css; charset=utf-8');
    const path = this.assets.get(name as IdeAssetName);
    if (path === undefined) throw new NotFoundException(`no IDE file ${name}`);
    let body = this.cache.get(name);
    if (body === undefined) {
      body = readFileSync(path);
      this.cache.set(name, body);
    }
    return new StreamableFile(body, { type: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', length: body.length });
  }
}

function text(body: string, type: string): StreamableFile {
  const bytes = Buffer.from(body);
  return new StreamableFile(bytes, { type, length: bytes.length });
}
