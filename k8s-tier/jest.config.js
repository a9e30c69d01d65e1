/**
 * npm run test:k8s — the Kubernetes tier: the real `cdktf deploy '*'` and `cdktf destroy '*'` of the app against a
 * real Kubernetes API server on this machine (kwok as the kubelet, a stand-in for Strimzi's operator; see README.md).
 */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/**/*.tier.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testTimeout: 1_800_000,
  maxWorkers: 1,
  verbose: true,
};
