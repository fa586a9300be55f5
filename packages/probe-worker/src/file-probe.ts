import { parseFlvFile } from '@video-exporter/flv-parser';
import { applyMediaSummary, emptyResult } from './media-fields.js';
import type { ProbeResult } from './result.js';

/**
 * Probes a whole FLV file held in memory: media fields only (no network or player figures), computed
 * from timestamps. Not ok when the bytes are not FLV or hold no video keyframe.
 */
export function probeFileBytes(name: string, bytes: Uint8Array): ProbeResult {
  const media = parseFlvFile(bytes);
  const result = emptyResult(name);
  applyMediaSummary(result, media);
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
