import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions measure time (stalls, pacing, timeouts, render windows). They run one at a
 * time, after every other file has finished, so a busy 2-core machine's other tests cannot show up in
 * their figures. Their lower bounds stay tight; their upper bounds leave room.
 */
const TIMING_SENSITIVE = [
  'tests/probe/pool.test.ts',
  'tests/probe/live-probe.test.ts',
  'tests/probe/faults.test.ts',
  'packages/live-source/test/live-source.test.ts',
  'packages/aggregator/test/http.test.ts',
  'tests/exporter/run.test.ts',
  'tests/faults/fault-suite.test.ts',
  'tests/probe/latency-truth.test.ts',
  'tests/e2e/node-media-server.test.ts',
  'packages/live-source/test/onfi.test.ts',
];

const ALL = ['packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Network tests start real servers and child processes; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'parallel', include: ALL, exclude: TIMING_SENSITIVE, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING_SENSITIVE, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
