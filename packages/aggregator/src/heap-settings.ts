import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags the long-running exporter sets for itself (issue 17, docs/benchmarks.md "Memory and scrape
 * time"). `--optimize-for-size` makes V8 grow its heaps in smaller steps and give memory back sooner: at
 * 1000 streams the exporter's peak RSS fell from 130 to 113 MB with CPU within the runs' spread. Node
 * refuses this flag in NODE_OPTIONS, and a flag on the command line would miss `npx`, the bin and the
 * demo, so the process sets it itself, before the probe worker threads (isolates of their own, which
 * take V8's flags when created) start. V8 reads it at run time, so the main thread's heap follows too.
 */
export const SMALL_HEAP_V8_FLAGS = ['--optimize-for-size'] as const;

export function preferSmallHeap(): void {
  for (const flag of SMALL_HEAP_V8_FLAGS) setFlagsFromString(flag);
}
