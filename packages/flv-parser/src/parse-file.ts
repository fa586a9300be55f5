import { FlvDemuxer, type FlvDemuxerOptions } from './demuxer.js';
import { type MediaSummary, MediaSummaryBuilder } from './media-summary.js';
import type { FlvEventSink } from './types.js';

/**
 * Parses a complete FLV held in memory, fed in `chunkSize` pieces as a network reader would,
 * and returns its media summary. For local files and tests; `onEvent` also sees every parser event.
 */
export function parseFlvFile(
  bytes: Uint8Array,
  options: FlvDemuxerOptions & { chunkSize?: number; onEvent?: FlvEventSink } = {},
): MediaSummary {
  const builder = new MediaSummaryBuilder();
  const onEvent = options.onEvent;
  const demuxer = new FlvDemuxer((event) => {
    builder.add(event);
    onEvent?.(event);
  }, options);
  const chunkSize = options.chunkSize ?? 64 * 1024;
  for (let pos = 0; pos < bytes.length && !demuxer.failed; pos += chunkSize) {
    demuxer.push(bytes.subarray(pos, Math.min(bytes.length, pos + chunkSize)));
  }
  demuxer.end();
  return builder.summary();
}
