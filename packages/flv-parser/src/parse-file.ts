import { FlvDemuxer, type FlvDemuxerOptions } from './demuxer.js';
import { MediaSummaryBuilder, type MediaSummary } from './media-summary.js';

/**
 * Parses a complete FLV held in memory, fed in `chunkSize` pieces as a network reader would,
 * and returns its media summary. For local files and tests.
 */
export function parseFlvFile(bytes: Uint8Array, options: FlvDemuxerOptions & { chunkSize?: number } = {}): MediaSummary {
  const builder = new MediaSummaryBuilder();
  const demuxer = new FlvDemuxer((event) => builder.add(event), options);
  const chunkSize = options.chunkSize ?? 64 * 1024;
  for (let pos = 0; pos < bytes.length && !demuxer.failed; pos += chunkSize) {
    demuxer.push(bytes.subarray(pos, Math.min(bytes.length, pos + chunkSize)));
  }
  demuxer.end();
  return builder.summary();
}
