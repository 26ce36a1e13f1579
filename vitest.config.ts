import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure, fast, parallel) and `integration` (real AWS SDK v3 clients over real
// HTTP against one moto_server started by the global setup; files run one at a time because they
// share that server and reset it between files).
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest-report.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/moto.global-setup.ts'],
          setupFiles: ['test/integration/moto.setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
