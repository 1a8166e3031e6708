/**
 * Projects: `unit` needs nothing but Node and runs the model on wasm; `unit-native` runs the same
 * specs on the native TensorFlow backend (tfjs-node, see scripts/native-backend.mjs) where its
 * binding is built, and always in CI (where a missing binding must fail, not skip); `e2e` needs
 * the real local Neo4j (npm run neo4j:start) and runs on the best backend available.
 */
const fs = require('fs');
const path = require('path');

const tsJest = ['ts-jest', { diagnostics: false }];
// d3-force (bundled into the explorer) ships ES modules only: compiled to CommonJS for the web specs.
const esmJs = ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' } }];
// libtensorflow's start-up notices (oneDNN, CPU features); set here because jest gives each test
// file a copy of process.env that native code never sees.
process.env.TF_CPP_MIN_LOG_LEVEL = process.env.TF_CPP_MIN_LOG_LEVEL ?? '2';

function nativeBindingBuilt() {
  const lib = path.join(__dirname, 'node_modules', '@tensorflow', 'tfjs-node', 'lib');
  return fs.existsSync(lib) && fs.readdirSync(lib).some((dir) => fs.existsSync(path.join(lib, dir, 'tfjs_binding.node')));
}

const native = process.env.CI === 'true' || nativeBindingBuilt();
if (!native) process.stderr.write('jest: tfjs-node binding not built (npm run native:setup): the unit-native project is skipped\n');

const unit = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest, '^.+/node_modules/d3-[a-z]+/.+\\.m?js$': esmJs },
  transformIgnorePatterns: ['/node_modules/(?!d3-[a-z]+/)'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts', '<rootDir>/web/**/*.spec.ts'],
};

module.exports = {
  // Generous: e2e suites import and train against a real Neo4j. Speed is measured by benchmarks.
  testTimeout: 180000,
  projects: [
    { ...unit, displayName: 'unit' },
    ...(native ? [{ ...unit, displayName: 'unit-native', setupFiles: ['<rootDir>/test/setup/native-backend.js'] }] : []),
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
