// Two projects: pure unit specs next to the code, and system tests in test/ that drive the
// compiled service (dist/) as real processes against a real Redis (and MLflow, lm-eval, the SDK).
// ts-jest only transpiles (isolatedModules); types are checked by `npm run typecheck`
// (tsconfig.test.json, strict), which npm test runs first.
const tsJest = [
  'ts-jest',
  { tsconfig: { module: 'commonjs', target: 'ES2022', isolatedModules: true, experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true, strict: true } },
];
module.exports = {
  // System suites each start their own service processes; one at a time keeps 2 cores sane.
  maxWorkers: 1,
  testTimeout: 180000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'system',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
