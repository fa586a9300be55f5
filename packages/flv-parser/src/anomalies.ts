/**
 * The closed set of stream-damage codes. Damage is data: the parser reports it as an
 * `anomaly` event (code + message + byte offset) and goes on, except for the fatal ones.
 */
export const ANOMALY_CODES = [
  // FLV container
  'bad_signature', // fatal: the first three bytes are not "FLV"
  'bad_header_size', // fatal: DataOffset smaller than 9 or absurdly large
  'prev_tag_size_mismatch', // PreviousTagSize does not equal 11 + the previous DataSize
  'unknown_tag_type', // TagType other than 8, 9, 18 (skipped)
  'encrypted_tag', // Filter bit set: body is encrypted and cannot be read
  'zero_size_tag', // a media or script tag with DataSize 0
  'oversized_tag', // DataSize above the sane limit for a live stream: not buffered; the next real tag is searched for
  'short_tag', // body too short for the headers its type requires
  'truncated', // the stream ended inside a tag
  'nonzero_stream_id', // StreamID must be 0
  // timestamps
  'timestamp_backwards', // DTS of a track went back
  'timestamp_jump', // DTS of a track jumped forward by more than 1 s
  // script data
  'script_too_large', // script tag above the record cap: skipped, not parsed
  // a run of script tags with no audio or video between them beyond the run cap: the rest of the run is skipped
  'script_flood',
  'amf_error', // AMF0 that cannot be decoded (bad marker, overrun)
  'amf_too_deep', // AMF0 nesting beyond the depth cap
  'amf_reference', // AMF0 reference marker (0x07): not resolved, so no shared or cyclic graphs; reads as undefined
  // video
  'unknown_video_codec', // legacy CodecID or FourCC we do not know (reported by name)
  'config_too_large', // a sequence header above the record cap
  'bad_video_config', // decoder configuration record that does not parse
  'bad_sps', // parameter set / sequence header that does not parse or is out of range
  'keyframe_mismatch', // FLV frame type disagrees with the NAL unit / OBU types of the payload
  'empty_nal', // a NAL unit of length 0, in a coded frame or in a decoder configuration record
  'nal_overrun', // a NAL unit length running past the end of the tag
  'frame_before_config', // coded frames before any sequence header
  'multitrack_too_large', // multitrack packet above the record cap: tracks not read
  // audio
  'unknown_audio_codec',
  'bad_audio_config', // AudioSpecificConfig (or other audio config) that does not parse
] as const;

export type AnomalyCode = (typeof ANOMALY_CODES)[number];

export const FATAL_ANOMALIES: ReadonlySet<AnomalyCode> = new Set<AnomalyCode>(['bad_signature', 'bad_header_size']);
