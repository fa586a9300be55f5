/**
 * The aggregator's public API: what the CLI's commands are built from, and what cross-package tests,
 * benchmarks and other tools may use. Anything not exported here is internal to the package.
 */
export * from './config/index.js';
export { Exporter, type ExporterOptions } from './exporter.js';
export * from './http/index.js';
export { createRoutes } from './http/routes.js';
export { createLogger, type Logger } from './logging.js';
export { ENCODER_LABEL_MAX_CHARS, encoderLabel } from './metrics/encoder-label.js';
export { ProbePool, type ProbePoolOptions, WORKER_FILE } from './probe-pool.js';
export { budgetMs, buildJob, isRetryable, probeWithRetries } from './probe-runner.js';
export { fnv1a32, nextSlot, phaseMs } from './scheduling/phase.js';
export * from './scoring/rules.js';
export { scoreSingleProbe } from './scoring/single-probe.js';
export * from './sharding/index.js';
export type * from './state/types.js';
export { VERSION } from './version.js';
