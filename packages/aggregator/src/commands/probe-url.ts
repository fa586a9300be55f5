import type { ProbeResult } from '@video-exporter/probe-worker';
import type { ProbeCommandOptions } from './probe.js';
import { UsageError } from './usage.js';

/** Network probing arrives with the probe worker. */
export async function probeUrlOnce(o: ProbeCommandOptions): Promise<ProbeResult> {
  throw new UsageError(`network probing is not available yet: ${o.target}`);
}
