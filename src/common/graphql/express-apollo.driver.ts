import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';

/** The parts of Express' request this middleware uses (the project has no @types/express). */
type Request = IncomingMessage & { body?: unknown };
type Response = ServerResponse;
type NextFunction = (error?: unknown) => void;
type RequestHandler = (req: Request, res: Response, next: NextFunction) => void;
type ContextFunction = (args: { req: Request; res: Response }) => Promise<BaseContext> | BaseContext;

type ErrorHandler = (error: unknown, req: Request, res: Response, next: NextFunction) => void;

export interface ExpressApolloDriverConfig extends ApolloDriverConfig {
  /** HTML for a browser's plain GET on the GraphQL path (GraphiQL in development, a note otherwise). */
  readonly browserPage?: string;
}

/**
 * ApolloDriver for Express without `@as-integrations/express5`: Apollo Server 5 moved its Express
 * middleware into that package, which this project does not install. The middleware below is the
 * same translation (Express request -> HTTPGraphQLRequest -> response) in a few lines. It also
 * answers a browser's plain GET on the GraphQL path with `browserPage`.
 */
@Injectable()
export class ExpressApolloDriver extends ApolloDriver {
  constructor(modulesContainer: ModulesContainer) {
    super(modulesContainer);
  }

  protected override async registerExpress(options: ExpressApolloDriverConfig, { preStartHook }: { preStartHook?: () => void } = {}): Promise<void> {
    const path = options.path ?? '/graphql';
    const httpAdapter = this.httpAdapterHost.httpAdapter;
    const app = httpAdapter.getInstance<{ use: (path: string, handler: RequestHandler | ErrorHandler) => void }>();
    const { browserPage, ...apolloOptions } = options;
    if (browserPage !== undefined) {
      app.use(path, (req: Request, res: Response, next: NextFunction) => {
        const search = new URL(req.url ?? '/', 'http://local').searchParams;
        const wantsPage = req.method === 'GET' && !search.has('query') && (req.headers.accept ?? '').includes('text/html');
        if (!wantsPage) return next();
        sendHtml(res, browserPage);
      });
    }
    app.use(path, bodyErrorHandler);
    preStartHook?.();
    const server = new ApolloServer<BaseContext>({
      ...(apolloOptions as object),
      plugins: [...(options.plugins ?? []), ApolloServerPluginDrainHttpServer({ httpServer: httpAdapter.getHttpServer() })],
    } as ConstructorParameters<typeof ApolloServer<BaseContext>>[0]);
    await server.start();
    app.use(path, expressMiddleware(server, options.context as ContextFunction | undefined));
    this.apolloServer = server;
  }
}

function expressMiddleware(server: ApolloServer<BaseContext>, context: ContextFunction = () => ({})): RequestHandler {
  return (req, res, next) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: new URL(req.url ?? '/', 'http://local').search,
      // Express' JSON parser leaves body undefined for body-less requests; Apollo wants an object.
      body: req.body ?? {},
    };
    server
      .executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context({ req, res }) })
      .then(async (response) => {
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === 'complete') {
          res.end(response.body.string);
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      })
      .catch(next);
  };
}

export function sendHtml(res: Response, html: string): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(html);
}

/**
 * The JSON body parser (registered by the app before this path's middleware) fails on a body over
 * the limit or one that is not JSON; Express would answer with its HTML error page. Here the
 * client gets a GraphQL error body with a code instead: 413 PAYLOAD_TOO_LARGE, 400 BAD_REQUEST.
 */
const bodyErrorHandler: ErrorHandler = (error, _req, res, next) => {
  const failure = error as { type?: unknown; status?: unknown; limit?: unknown };
  if (typeof failure?.type !== 'string' || typeof failure.status !== 'number' || failure.status < 400 || failure.status >= 500) {
    next(error);
    return;
  }
  const tooLarge = failure.type === 'entity.too.large';
  const message = tooLarge
    ? `request body too large: the limit is ${typeof failure.limit === 'number' ? `${failure.limit} bytes` : 'exceeded'}`
    : failure.type === 'entity.parse.failed'
      ? 'request body is not valid JSON'
      : `request body could not be read (${failure.type})`;
  res.statusCode = tooLarge ? 413 : failure.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] }));
};
