import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('serves GraphiQL by default, not in production, and as GRAPHQL_IDE says', () => {
    expect(loadConfig({}).graphqlIde).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlIde).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_IDE: 'true' }).graphqlIde).toBe(true);
    expect(loadConfig({ GRAPHQL_IDE: '0' }).graphqlIde).toBe(false);
    expect(() => loadConfig({ GRAPHQL_IDE: 'sometimes' })).toThrow(new ConfigError('GRAPHQL_IDE', 'must be true or false, got "sometimes"'));
  });

  it('reads the reports folder, defaulting to reports/', () => {
    expect(loadConfig({}).reportsDir).toBe('reports');
    expect(loadConfig({ REPORTS_DIR: '/srv/reports' }).reportsDir).toBe('/srv/reports');
  });
});
