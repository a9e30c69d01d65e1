/**
 * npm run test:kafka — the Kafka tier: the synthesized mesh on real Kafka 4.3.1 brokers and real MirrorMaker 2
 * (Kafka Connect) on this machine. Kept apart from the fast tier (jest.config.js at the root only looks in __tests__).
 */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/**/*.tier.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testTimeout: 600_000,
  maxWorkers: 1,
  verbose: true,
};
