import type { ProbeJob } from './job.js';
import { runProbe } from './probe.js';
import type { ProbeResult } from './result.js';

/**
 * The Piscina worker entry: one plain job in, one plain result out. Timeouts are enforced inside
 * (AbortSignal in runProbe), so many probes share a thread. (Faults for the isolation tests live in a
 * test wrapper around this entry, tests/faults/support/hook-worker.mjs, not here.)
 */
export default async function probeTask(job: ProbeJob): Promise<ProbeResult> {
  return runProbe(job);
}
