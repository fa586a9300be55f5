/**
 * An FLV script tag `onFI` carrying a wall clock (system date `sd`, system time `st`, UTC), as Flash Media
 * Live Encoder embeds it: the live source stamps each keyframe with it (`onfi_offset_ms`), so a probe can
 * measure how far the stream trails the encoder's clock (SPEC §12 latency).
 */
import { STREAM_CLOCK_SCRIPT_NAME, streamClockStrings, writeTagTimestamp } from '@video-exporter/flv-parser';
import { TAG_HEADER_SIZE } from './fixture-timeline.js';

const TAG_SCRIPT = 18;
const AMF_STRING = 0x02;
const AMF_ECMA_ARRAY = 0x08;
const AMF_OBJECT_END = [0x00, 0x00, 0x09];
const PREVIOUS_TAG_SIZE = 4;

function amfShortString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** The whole tag (header, body, PreviousTagSize) at timestamp `ts`, saying the wall clock is `wallMs`. */
export function onFiTag(ts: number, wallMs: number): Buffer {
  const clock = streamClockStrings(wallMs);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(2);
  const body = Buffer.concat([
    Buffer.from([AMF_STRING]),
    amfShortString(STREAM_CLOCK_SCRIPT_NAME),
    Buffer.from([AMF_ECMA_ARRAY]),
    count,
    amfShortString('sd'),
    Buffer.from([AMF_STRING]),
    amfShortString(clock.sd),
    amfShortString('st'),
    Buffer.from([AMF_STRING]),
    amfShortString(clock.st),
    Buffer.from(AMF_OBJECT_END),
  ]);
  const tag = Buffer.alloc(TAG_HEADER_SIZE + body.length + PREVIOUS_TAG_SIZE);
  tag[0] = TAG_SCRIPT;
  tag.writeUIntBE(body.length, 1, 3);
  writeTagTimestamp(tag, ts);
  body.copy(tag, TAG_HEADER_SIZE);
  tag.writeUInt32BE(TAG_HEADER_SIZE + body.length, TAG_HEADER_SIZE + body.length);
  return tag;
}
