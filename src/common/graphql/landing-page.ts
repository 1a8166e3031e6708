/**
 * A self-contained GraphQL page (no CDN, no external script or font) so the API is explorable on
 * an offline machine: a query textarea, a variables textarea, an optional API key, and the
 * JSON answer. Apollo's own landing page loads its sandbox from a CDN and is disabled.
 */
export const EXAMPLE_QUERY = `query Recommend($userId: ID!) {
  recommend(userId: $userId, k: 5) {
    rank
    score
    item { id title }
    explanation {
      attribute
      text
      sharedValues { kind name }
      neighbor { id title }
    }
  }
}`;

export function renderLandingPage(endpoint: string, exampleVariables = '{ "userId": "1" }'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>eRAN-graph GraphQL</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 70rem; }
  textarea, pre { font-family: ui-monospace, monospace; font-size: 13px; width: 100%; box-sizing: border-box; }
  textarea { padding: .5rem; }
  pre { background: #f4f4f4; padding: .75rem; overflow: auto; min-height: 6rem; }
  .row { display: flex; gap: 1rem; } .row > div { flex: 1; }
  button { font-size: 1rem; padding: .4rem 1.2rem; margin: .5rem 0; }
  small { color: #555; }
</style>
</head>
<body>
<h1>eRAN-graph GraphQL</h1>
<p><small>POSTs to <code>${escapeHtml(endpoint)}</code>. The schema is in <code>schema.gql</code>; introspection works with any client.</small></p>
<label for="query">Query</label>
<textarea id="query" rows="18">${escapeHtml(EXAMPLE_QUERY)}</textarea>
<div class="row">
  <div><label for="variables">Variables (JSON)</label><textarea id="variables" rows="4">${escapeHtml(exampleVariables)}</textarea></div>
  <div><label for="token">API key (mutations only: writer or admin)</label><textarea id="token" rows="1"></textarea></div>
</div>
<button id="run" type="button">Run</button> <small id="status"></small>
<pre id="result"></pre>
<script>
  const run = async () => {
    const status = document.getElementById('status');
    const result = document.getElementById('result');
    let variables = {};
    try {
      const text = document.getElementById('variables').value.trim();
      variables = text ? JSON.parse(text) : {};
    } catch (e) { result.textContent = 'variables are not valid JSON: ' + e.message; return; }
    const headers = { 'content-type': 'application/json' };
    const token = document.getElementById('token').value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    const started = performance.now();
    status.textContent = 'running...';
    try {
      const response = await fetch(${JSON.stringify(endpoint)}, {
        method: 'POST', headers, body: JSON.stringify({ query: document.getElementById('query').value, variables }),
      });
      result.textContent = JSON.stringify(await response.json(), null, 2);
      status.textContent = 'HTTP ' + response.status + ' in ' + Math.round(performance.now() - started) + ' ms';
    } catch (e) { result.textContent = String(e); status.textContent = 'failed'; }
  };
  document.getElementById('run').addEventListener('click', run);
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
