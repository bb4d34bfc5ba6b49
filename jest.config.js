/** Jest 30 in ESM mode; ts-jest compiles TypeScript, isolatedModules keeps it fast (typecheck is its own step). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/packages/sandbox/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testTimeout: 30000,
  // Jest's default is one worker on 2 cores; most of the suite waits on child processes and HTTP,
  // so two workers finish it in about two thirds of the time.
  maxWorkers: 2,
};
