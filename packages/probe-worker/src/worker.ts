import { runProbe } from './probe.js';
import type { ProbeJob } from './job.js';
import type { ProbeResult } from './result.js';

/**
 * The Piscina worker entry: one plain job in, one plain result out. Timeouts are enforced inside
 * (AbortSignal in runProbe), so many probes share a thread.
 */
export default async function probeTask(job: ProbeJob): Promise<ProbeResult> {
  switch (job.testHook) {
    case 'throw':
      throw new Error('test hook: worker task threw');
    case 'crash':
      // Kills this worker thread (and every probe on it), as a native fault would.
      process.exit(70);
      break;
    case 'hang':
      return new Promise<ProbeResult>(() => {});
    default:
      break;
  }
  return runProbe(job);
}
