export { type Amf0Options, type Amf0Result, decodeAmf0 } from './amf0.js';
export * from './anomalies.js';
export { type AudioTagHeader, readAudioTagHeader } from './audio-tag.js';
export { BitReader, BitReaderUnderrunError, ExpGolombOverflowError } from './bit-reader.js';
export { videoFourCcToCodec } from './codecs/video-codec-names.js';
export {
  DEFAULT_MAX_RECORD_BYTES,
  DEFAULT_MAX_SCRIPT_RUN,
  DEFAULT_MAX_SCRIPT_RUN_BYTES,
  DEFAULT_MAX_TAG_BYTES,
  FlvDemuxer,
  type FlvDemuxerOptions,
} from './demuxer.js';
export { removeEmulationPrevention } from './emulation.js';
export { type EnhancedBody, type EnhancedTrackPacket, parseEnhancedBody } from './enhanced-body.js';
export type { AudioSummary, MediaSummary, PacketCounts, TimestampSummary, VideoSummary } from './media-summary.js';
export { CONTINUOUS_STEP_MS, MediaSummaryBuilder, toJson } from './media-summary.js';
export { parseFlvFile } from './parse-file.js';
export { STREAM_CLOCK_SCRIPT_NAME, streamClockMs, streamClockStrings } from './stream-clock.js';
export { type FlvIndex, type IndexedTag, indexFlvTags, writeTagTimestamp } from './tag-index.js';
export * from './types.js';
// tag-body readers, for the content check's elementary streams (probe-worker/src/content)
export { FRAME_TYPE_KEY, readVideoTagHeader, type VideoTagHeader } from './video-tag.js';
