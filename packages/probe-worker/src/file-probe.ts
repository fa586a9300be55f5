import { parseFlvFile } from '@video-exporter/flv-parser';
import { LatencyTracker } from './latency.js';
import { applyMediaSummary, emptyResult } from './media-fields.js';
import type { ProbeResult } from './result.js';

/**
 * Probes a whole FLV file held in memory: media fields only (no network or player figures), computed
 * from timestamps (of SPEC §12, only the keyframe interval: a file has no wall time to compare media
 * time with). Not ok when the bytes are not FLV or hold no video keyframe.
 */
export function probeFileBytes(name: string, bytes: Uint8Array): ProbeResult {
  const keyframes = new LatencyTracker();
  const media = parseFlvFile(bytes, {
    onEvent: (e) => {
      if (e.type === 'video-frame') keyframes.onFrame(0, e.dts, e.keyframe);
    },
  });
  const result = emptyResult(name);
  applyMediaSummary(result, media);
  const interval = keyframes.keyframeIntervalMaxMs();
  if (interval !== undefined) result.latency = { keyframe_interval_max_ms: interval };
  if (media.fatal) {
    result.reason = media.fatal.code === 'bad_signature' ? 'not_flv' : 'parse_error';
    result.error = media.fatal.message;
  } else if (media.video.frames === 0) {
    result.reason = 'no_video';
    result.error = 'no video frames in the file';
  } else if (media.video.keyframes === 0) {
    result.reason = 'no_keyframe';
    result.error = 'no keyframe in the file';
  }
  result.ok = result.reason === undefined;
  return result;
}
