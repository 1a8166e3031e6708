import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG, APP_LOGGER } from '../config/config.module';
import type { Logger } from '../common/logging/logger';
import { buildExplorerBundle, type BundleFile, type ExplorerBundle } from './explorer-bundle';
import { renderExplorerPage } from './explorer-page';

/** The explorer's page and bundled files, built once while the app starts (a build error stops the boot). */
@Injectable()
export class ExplorerAssetsService implements OnModuleInit {
  private bundle: ExplorerBundle | null = null;
  private html = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const started = performance.now();
    const bundle = await buildExplorerBundle();
    this.bundle = bundle;
    this.html = renderExplorerPage({ script: bundle.script, style: bundle.style, graphqlIde: this.config.graphqlIde });
    this.logger.info(
      { initialKiB: Math.round(bundle.initialBytes / 102.4) / 10, files: bundle.files.size, ms: Math.round(performance.now() - started) },
      'explorer bundled',
    );
  }

  page(): string {
    return this.html;
  }

  file(name: string): BundleFile | undefined {
    return this.bundle?.files.get(name);
  }
}
