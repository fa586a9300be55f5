import type { MessagePort } from 'node:worker_threads';
import type { ContentResult } from './content/content-check.js';
import type { ProbeJob } from './job.js';
import { runProbe } from './probe.js';
import type { ProbeResult } from './result.js';

/** A job as the pool sends it: a probe that carries a content check brings the port its result goes to. */
export interface ProbeTask extends ProbeJob {
  /**
   * Gets exactly one message: the check's ContentResult, or null when no check ran (no video). The
   * probe's own result does not wait for the decoder (SPEC §13: the check rides on the probe's sample).
   */
  contentPort?: MessagePort;
}

/**
 * The Piscina worker entry: one plain job in, one plain result out. Timeouts are enforced inside
 * (AbortSignal in runProbe), so many probes share a thread. (Faults for the isolation tests live in a
 * test wrapper around this entry, tests/faults/support/hook-worker.mjs, not here.)
 */
export default async function probeTask(task: ProbeTask): Promise<ProbeResult> {
  const { contentPort: port, ...job } = task;
  if (!port) return runProbe(job);
  let handedOver = false;
  try {
    return await runProbe(job, undefined, (check) => {
      handedOver = true;
      void check.then((c) => send(port, c));
    });
  } finally {
    if (!handedOver) send(port, null);
  }
}

function send(port: MessagePort, content: ContentResult | null): void {
  port.postMessage(content, content?.thumbnail ? [content.thumbnail] : []);
  port.close();
}
