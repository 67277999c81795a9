// Shared jest settings: TypeScript sources run through ts-jest as native ESM (execa and friends are ESM-only),
// and workspace packages resolve to their src/ through tsconfig.base.json paths, so tests never need a build.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));

export function jestConfig(configUrl) {
  const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
  for (const [name, [target]] of Object.entries(base.compilerOptions.paths)) {
    moduleNameMapper[`^${name.replace(/[/.]/g, '\\$&')}$`] = join(root, target);
  }
  return {
    rootDir: dirname(fileURLToPath(configUrl)),
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper,
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: join(root, 'tsconfig.base.json') }],
    },
    testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    setupFilesAfterEnv: [join(root, 'tools', 'test-support', 'jest-setup.js')],
    testTimeout: 120000,
  };
}
