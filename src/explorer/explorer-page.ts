/** The HTML shell of the explorer: no inline script or style, so a strict CSP can hold. */
export interface ExplorerPageOptions {
  readonly script: string;
  readonly style: string;
  /** Whether the header links to the GraphQL IDE at /graphql. */
  readonly graphqlIde: boolean;
}

/**
 * Only this origin may serve scripts, styles, images and answers: a stray CDN reference fails
 * loudly in the console (and so in the browser test) instead of working only while online.
 */
export const EXPLORER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function renderExplorerPage(options: ExplorerPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eRAN-graph explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/explorer/${options.style}">
<script type="module" src="/explorer/${options.script}"></script>
</head>
<body data-graphql-ide="${options.graphqlIde}">
<div id="app"><noscript>The explorer needs JavaScript. The GraphQL API is at /graphql.</noscript></div>
</body>
</html>
`;
}
