import { jestConfig } from '../../jest.base.mjs';
// A browser test drives a whole visit through several signed-in people: minutes, not seconds.
export default jestConfig(import.meta.url, { testTimeout: 240000, testMatch: ['<rootDir>/src/**/*.test.ts'] });
