import { Counter, Histogram, type Registry } from 'prom-client';

export const CONTENT_CHECK_RESULTS = ['ok', 'failed', 'timeout'] as const;

/** SPEC §13 exporter-own content check series (the per-stream ones are in stream-series.ts). */
export function contentMetrics(registers: Registry[]) {
  const checks = new Counter({
    name: 'video_exporter_content_checks_total',
    help: 'Content checks (ffmpeg decodes) by result',
    labelNames: ['result'],
    registers,
  });
  for (const result of CONTENT_CHECK_RESULTS) checks.inc({ result }, 0);
  const duration = new Histogram({
    name: 'video_exporter_content_check_duration_seconds',
    help: 'Wall time of one content check (elementary streams and the ffmpeg run)',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  return { checks, duration };
}
