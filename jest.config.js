/** npm test: the fast tier (no cluster, no Kafka, no Terraform binary). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
};
