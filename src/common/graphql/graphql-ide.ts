import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * GraphiQL for developers at GET /graphql (browsers only; the explorer at / is for everyone
 * else). GraphiQL 3 ships a prebuilt browser file that needs React 18's UMD builds; all three are
 * development dependencies served straight from node_modules under /graphiql/, so the IDE works
 * offline and adds nothing to the explorer's bundle. Production installs (npm prune
 * --omit=dev) leave them out, and GET /graphql then answers with a short note instead.
 */
export const IDE_ASSET_PREFIX = '/graphiql/';

const ASSETS = {
  'react.production.min.js': ['react', 'umd/react.production.min.js'],
  'react-dom.production.min.js': ['react-dom', 'umd/react-dom.production.min.js'],
  'graphiql.min.js': ['graphiql', 'graphiql.min.js'],
  'graphiql.min.css': ['graphiql', 'graphiql.min.css'],
} as const;

export type IdeAssetName = keyof typeof ASSETS;

/** Served with the assets: starts GraphiQL (a file, not an inline script, so a CSP can hold). */
export const IDE_INIT_SCRIPT = `(function () {
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var defaultQuery = ${JSON.stringify(
    '# eRAN-graph API. Writes need the header {"Authorization": "Bearer <key>"} (Headers tab).\nquery Recommend($userId: ID!) {\n  recommend(userId: $userId, k: 5) {\n    rank score item { id title }\n    explanation { attribute text sharedValues { kind name } neighbor { id title } }\n  }\n}\n',
  )};
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, variables: '{ "userId": "1" }', isHeadersEditorEnabled: true })
  );
})();
`;

/** Absolute paths of the IDE's files, or null when the development dependencies are not installed. */
export function resolveIdeAssets(): ReadonlyMap<IdeAssetName, string> | null {
  const found = new Map<IdeAssetName, string>();
  for (const [name, [pkg, file]] of Object.entries(ASSETS) as Array<[IdeAssetName, readonly [string, string]]>) {
    let root: string;
    try {
      root = dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      return null;
    }
    const path = join(root, file);
    if (!existsSync(path)) return null;
    found.set(name, path);
  }
  return found;
}

export function renderIdePage(): string {
  const asset = (name: string): string => `${IDE_ASSET_PREFIX}${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>eRAN-graph GraphQL IDE</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<link rel="stylesheet" href="${asset('ide.css')}">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script src="${asset('init.js')}"></script>
</body>
</html>
`;
}

export const IDE_CSS = 'body { margin: 0; } #graphiql { height: 100vh; }\n';

/** GET /graphql from a browser when the IDE is off or not installed. */
export function renderIdeOffPage(reason: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>eRAN-graph GraphQL</title><link rel="icon" href="data:,"></head>
<body>
<h1>eRAN-graph GraphQL</h1>
<p>POST GraphQL requests to this address (the schema is in <code>schema.gql</code>; introspection is on). ${reason}</p>
<p>The recommendation explorer is at <a href="/">/</a>.</p>
</body>
</html>
`;
}
