/** Two projects: `unit` needs nothing but Node; `e2e` needs the real local Neo4j (npm run neo4j:start). */
const tsJest = ['ts-jest', { diagnostics: false }];
// d3-force (bundled into the explorer) ships ES modules only: compiled to CommonJS for the web specs.
const esmJs = ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' } }];
module.exports = {
  // Generous: e2e suites import and train against a real Neo4j. Speed is measured by benchmarks.
  testTimeout: 180000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest, '^.+/node_modules/d3-[a-z]+/.+\\.m?js$': esmJs },
      transformIgnorePatterns: ['/node_modules/(?!d3-[a-z]+/)'],
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts', '<rootDir>/web/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/e2e/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/setup/global-teardown.ts',
    },
  ],
};
