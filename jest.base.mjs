// Shared jest setup: ESM TypeScript through @swc/jest, workspace packages resolved to their sources
// so tests never depend on a stale dist/. Integration tests (*.int.test.ts) use the real MariaDB/Redis.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

export function jestConfig(configUrl, overrides = {}) {
  const dir = path.dirname(fileURLToPath(configUrl));
  return {
    rootDir: dir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    testMatch: ['<rootDir>/src/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleNameMapper: {
      '^@clinicult/([a-z]+)-service$': `${root}/subgraphs/$1/src/index.ts`,
      '^@clinicult/gateway$': `${root}/gateway/src/index.ts`,
      '^@clinicult/([a-z-]+)$': `${root}/packages/$1/src/index.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    testTimeout: 30000,
    maxWorkers: 1,
    // a leaked handle must never hang CI; tests still close what they open
    forceExit: true,
    ...overrides,
  };
}
