import { emptyResult, type ProbeResult } from '@video-exporter/probe-worker';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics/registry.js';
import { DEFAULT_THRESHOLDS } from '../src/scoring/rules.js';
import { StreamState } from '../src/state/stream-state.js';

const identity = {
  key: 'G01/source/s1',
  project: 'G01',
  line: 'source',
  id: 's1',
  url: 'http://x/a.flv',
  tags: { table: 't1' },
  source: 'config',
};

function good(bitrate: number): ProbeResult {
  return {
    ...emptyResult('http://x/a.flv'),
    ok: true,
    http_status: 200,
    response_ms: 12,
    ttfb_ms: 15,
    bitrate_bps: bitrate,
    packets: { total: 400, video: 250, audio: 150 },
    video: {
      codec: 'H.264',
      profile: 'High',
      level: '3.1',
      width: 1280,
      height: 720,
      framerate: 25,
      frames: 250,
      keyframes: 5,
      gop_frames: 50,
      gop_seconds: 2,
    },
    audio: { codec: 'AAC', sample_rate: 48000, channels: 2, frames: 150 },
    stalls: { count: 0, max_ms: 0, total_ms: 0, ratio: 0 },
    timestamps: { discontinuities: 0 },
    metadata: { encoder: 'Lavf60.16.100\r\n' },
    latency: { start_lag_ms: 1250, media_rate: 0.998, keyframe_interval_max_ms: 2000, latency_ms: 3100 },
  };
}

const failed: ProbeResult = { ...emptyResult('http://x/a.flv'), reason: 'refused', error: 'connect ECONNREFUSED' };

describe('StreamState', () => {
  it('keeps stability unknown below 3 successful probes, then scores it; counts failures in a row', () => {
    const s = new StreamState(identity);
    expect(s.snapshot.state).toBe('pending');
    let snap = s.record(good(2e6), 1000_000, 2, DEFAULT_THRESHOLDS);
    expect(snap).toMatchObject({
      up: true,
      playable: true,
      healthy: true,
      quality: 2,
      overall: 2,
      consecutive_failures: 0,
    });
    expect(snap.stability).toBeUndefined();
    s.record(good(2e6), 1030_000, 2, DEFAULT_THRESHOLDS);
    snap = s.record(good(2e6), 1060_000, 2, DEFAULT_THRESHOLDS);
    expect(snap.stability).toBe(2);
    expect(snap.avg_bitrate_bps).toBe(2e6);
    snap = s.record(failed, 1090_000, 2, DEFAULT_THRESHOLDS);
    expect(snap).toMatchObject({
      state: 'down',
      up: false,
      healthy: false,
      quality: 0,
      overall: 0,
      consecutive_failures: 1,
    });
    expect(snap.last_error).toMatchObject({ reason: 'refused' });
    snap = s.record(failed, 1120_000, 2, DEFAULT_THRESHOLDS);
    expect(snap.consecutive_failures).toBe(2);
    // failures do not enter the bitrate history
    expect(snap.avg_bitrate_bps).toBe(2e6);
  });
});

describe('metrics: absent, not zero', () => {
  it(
    'a failed probe sets up/scores/bitrate/framerate to 0 and' +
      ' removes what it could not measure; removal drops every series',
    async () => {
      const registry = new Registry();
      const metrics = createMetrics({
        registry,
        allowedTags: ['table', 'isp'],
        version: 'test',
        defaultMetrics: false,
      });
      const s = new StreamState(identity);
      metrics.publish(s.record(good(2e6), 1000_000, 2, DEFAULT_THRESHOLDS));
      let text = await registry.metrics();
      const labels = 'project="G01",line="source",id="s1",table="t1",isp=""';
      expect(text).toContain(`video_stream_ttfb_ms{${labels}} 15`);
      expect(text).toContain(
        `video_stream_info{${labels},video_codec="H.264",profile="High",level="3.1",audio_codec="AAC",` +
          'encoder="Lavf60.16.100"} 1',
      );
      // SPEC §12 series in base units
      expect(text).toContain(`video_stream_start_lag_seconds{${labels}} 1.25`);
      expect(text).toContain(`video_stream_media_rate{${labels}} 0.998`);
      expect(text).toContain(`video_stream_keyframe_interval_max_seconds{${labels}} 2`);
      expect(text).toContain(`video_stream_latency_seconds{${labels}} 3.1`);
      expect(text).not.toContain('video_stream_stability_score{'); // unknown below 3 probes

      metrics.publish(s.record(failed, 1030_000, 2, DEFAULT_THRESHOLDS));
      text = await registry.metrics();
      expect(text).toContain(`video_stream_up{${labels}} 0`);
      expect(text).toContain(`video_stream_bitrate_bps{${labels}} 0`);
      expect(text).toContain(`video_stream_framerate{${labels}} 0`);
      expect(text).toContain(`video_stream_consecutive_failures{${labels}} 1`);
      for (const absent of [
        'video_stream_ttfb_ms{',
        'video_stream_response_ms{',
        'video_stream_read_stall_ratio{',
        'video_stream_width{',
        'video_stream_info{',
        'video_stream_start_lag_seconds{',
        'video_stream_latency_seconds{',
      ]) {
        expect(text).not.toContain(absent);
      }

      metrics.remove(identity);
      text = await registry.metrics();
      expect(text).not.toMatch(/video_stream_\w+\{[^}]*id="s1"/);
    },
  );

  it('pre-creates exporter label sets at 0', async () => {
    const registry = new Registry();
    createMetrics({ registry, allowedTags: [], version: 'test', defaultMetrics: false });
    const text = await registry.metrics();
    expect(text).toContain('video_exporter_probe_errors_total{reason="worker_crash"} 0');
    expect(text).toContain('video_exporter_probes_total{result="failure"} 0');
    expect(text).toContain('video_exporter_streams{state="owned"} 0');
  });
  it('a content check that arrives after its probe: counts while up, kept by later probes, gone when down', () => {
    const s = new StreamState(identity);
    s.record(good(2e6), 1000_000, 2, DEFAULT_THRESHOLDS);
    const black = { result: 'ok' as const, duration_ms: 900, black_ratio: 1, frozen_ratio: 0.2 };
    const snap = s.recordContent(black, 1003_500, DEFAULT_THRESHOLDS);
    expect(snap?.content).toEqual({ result: 'ok', at: 1003, has_thumbnail: false, black_ratio: 1, frozen_ratio: 0.2 });
    expect(snap?.healthy).toBe(false); // black ≥ max_black_ratio
    // the next probe carries no check: the figures stand until the next check replaces them
    expect(s.record(good(2e6), 1010_000, 2, DEFAULT_THRESHOLDS)).toMatchObject({
      healthy: false,
      content: { at: 1003 },
    });
    const fine = s.recordContent({ result: 'ok', duration_ms: 800, black_ratio: 0 }, 1012_000, DEFAULT_THRESHOLDS);
    expect(fine).toMatchObject({ healthy: true, content: { black_ratio: 0, at: 1012 } });
    // down: the figures go with the stream, and a check finishing late does not bring them back
    expect(s.record(failed, 1020_000, 2, DEFAULT_THRESHOLDS).content).toBeUndefined();
    expect(s.recordContent(black, 1021_000, DEFAULT_THRESHOLDS)).toBeUndefined();
    expect(s.snapshot.content).toBeUndefined();
  });
});
