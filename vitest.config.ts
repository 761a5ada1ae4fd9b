import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three kinds of tests, run as vitest projects one group after another (sequence.groupOrder), so a group never
// competes with the next for the machine's cores:
// - unit: pure code, no database, files in parallel workers;
// - integration: the real embedded database (one server for the run, a fresh database per file, see
//   tests/helpers/store.ts), files in parallel workers since no two files share a database, a port or a folder;
// - drills: tests that start real processes (`npm start`, the CLI, the database binary) or slow the database
//   down on purpose: one file at a time, as their timings assume a machine that is not also running the others;
// - browser: the pages in Debian's chromium, one file at a time.
// `npm test` runs all of them; `vitest run --project unit` only the first, with no database started.
const DRILLS = [
  'tests/integration/backup-restore.test.ts',
  'tests/integration/cli-piped-output.test.ts',
  'tests/integration/doctor.test.ts',
  'tests/integration/embedded-server.test.ts',
  'tests/integration/ferretdb-binary.test.ts',
  'tests/integration/healthz.test.ts',
  'tests/integration/multi-instance.test.ts',
  'tests/integration/reliability-drills.test.ts',
  'tests/integration/service-process.test.ts',
];
// Every file that drives chromium is named *browser*.test.ts.
const BROWSER = ['tests/integration/*browser*.test.ts'];
const DATABASE = ['tests/global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Workers for the projects that allow them; at least two, so even a 2-core machine overlaps the waits.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'integration', include: ['tests/integration/**/*.test.ts'], exclude: [...DRILLS, ...BROWSER],
          globalSetup: DATABASE, sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'drills', include: DRILLS, globalSetup: DATABASE, sequence: { groupOrder: 2 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser', include: BROWSER, globalSetup: DATABASE, sequence: { groupOrder: 3 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
