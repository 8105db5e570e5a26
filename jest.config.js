// Tests may load cluster fixtures with non-loopback pod IPs: never connect to them.
process.env.ALLOY_LOOPBACK_ONLY ??= '1';

// Jest runs TypeScript sources directly (SWC transform, native ESM) so tests need no build step.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }] };
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
const common = { transform, moduleNameMapper, extensionsToTreatAsEsm: ['.ts'], testEnvironment: 'node' };
export default {
  // Per-project testTimeout is ignored by jest; the e2e files set their own where they need more.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.test.ts'], testTimeout: 120000 },
  ],
};
