/**
 * Shared pieces of the probe end-to-end tests: the live fixture, what the fixture itself says about its
 * media (the oracle the live measurements are compared with), and a job factory with short timeouts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type MediaSummary, parseFlvFile } from '@video-exporter/flv-parser';
import type { ProbeJob } from '@video-exporter/probe-worker';

/** 720p25 H.264 High + AAC 48 kHz, GOP 2 s, ~4 s: the live source loops it forever. */
export const LIVE_FIXTURE = fileURLToPath(new URL('../fixtures/live/live_720p25.flv', import.meta.url));

let fixtureSummary: MediaSummary | undefined;

/** The fixture parsed as a whole file: its bitrate and codec are what a live sample must reproduce. */
export function fixtureMedia(): MediaSummary {
  fixtureSummary ??= parseFlvFile(readFileSync(LIVE_FIXTURE));
  return fixtureSummary;
}

/** A probe job against `url` with the SPEC's thresholds and timeouts short enough for tests. */
export function job(url: string, over: Partial<ProbeJob> = {}): ProbeJob {
  return {
    url,
    sampleMs: 3000,
    minKeyframes: 2,
    stallThresholdMs: 200,
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    firstByteTimeoutMs: 3000,
    idleTimeoutMs: 2000,
    deadlineMs: 15_000,
    ...over,
  };
}

/** Wall time of an async call, ms (monotonic clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}
