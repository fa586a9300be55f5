export * from './types.js';
export * from './anomalies.js';
export {
  FlvDemuxer,
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_MAX_TAG_BYTES,
  DEFAULT_MAX_SCRIPT_RUN,
  DEFAULT_MAX_SCRIPT_RUN_BYTES,
  type FlvDemuxerOptions,
} from './demuxer.js';
export { MediaSummaryBuilder, toJson, CONTINUOUS_STEP_MS } from './media-summary.js';
export type { MediaSummary, PacketCounts, VideoSummary, AudioSummary, TimestampSummary } from './media-summary.js';
export { parseFlvFile } from './parse-file.js';
export { indexFlvTags, writeTagTimestamp, type IndexedTag, type FlvIndex } from './tag-index.js';
export { BitReader, BitReaderUnderrunError, ExpGolombOverflowError } from './bit-reader.js';
export { removeEmulationPrevention } from './emulation.js';
export { decodeAmf0, type Amf0Result, type Amf0Options } from './amf0.js';
export { streamClockMs, streamClockStrings, STREAM_CLOCK_SCRIPT_NAME } from './stream-clock.js';
// tag-body readers, for the content check's elementary streams (probe-worker/src/content)
export { readVideoTagHeader, FRAME_TYPE_KEY, type VideoTagHeader } from './video-tag.js';
export { readAudioTagHeader, type AudioTagHeader } from './audio-tag.js';
export { parseEnhancedBody, type EnhancedBody, type EnhancedTrackPacket } from './enhanced-body.js';
export { videoFourCcToCodec } from './codecs/video-codec-names.js';
