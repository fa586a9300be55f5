import {
  FRAME_TYPE_KEY,
  type IndexedTag,
  indexFlvTags,
  parseEnhancedBody,
  readAudioTagHeader,
  readVideoTagHeader,
  videoFourCcToCodec,
} from '@video-exporter/flv-parser';
import { AAC_FRAME_SAMPLES, type AdtsSetup, adtsFrame, adtsSetup } from './adts.js';
import { toAnnexB, type VideoCodecSetup, videoCodecSetup } from './parameter-sets.js';

/** Which video frames go to the decoder (SPEC §13 `decode`). */
export type DecodeMode = 'keyframes' | 'all';

export interface VideoFrame {
  /** presentation time, ms from the first frame handed to the decoder */
  ptsMs: number;
  data: Uint8Array;
  key: boolean;
}

/** One sample's media as a decoder reads it without FLV. */
export interface ElementaryStreams {
  video?: {
    codec: string;
    /** IVF FourCC */
    fourcc: string;
    frames: VideoFrame[];
    /** media time the video covers, ms: first decoded frame to the end of the sample's last frame */
    spanMs: number;
  };
  audio?: { format: 'adts' | 'mp3'; chunks: Uint8Array[]; spanMs: number };
}

const IVF_FOURCC: Record<string, string> = { 'H.264': 'H264', 'H.265': 'HEVC', AV1: 'AV01', VP9: 'VP90' };
const TAG_HEADER_BYTES = 11;
const TAG_AUDIO = 8;
const TAG_VIDEO = 9;
const ENHANCED_SEQUENCE_START = 0;
const ENHANCED_CODED_FRAMES = 1;
const ENHANCED_CODED_FRAMES_X = 3;
const MP3_FRAME_SAMPLES = 1152;
const SOUND_FORMAT_EX_HEADER = 9;
const ENHANCED_AUDIO_HEADER_BYTES = 5;
const LEGACY_AAC_HEADER_BYTES = 2;

interface RawFrame {
  codec: string;
  dts: number;
  cts: number;
  key: boolean;
  payload: Uint8Array;
}

/**
 * Turns a sample's FLV bytes (as recorded, possibly cut at the size cap) into elementary streams:
 * H.264 / H.265 Annex-B with the parameter sets before every keyframe, AV1 OBUs, VP9 frames (all for an
 * IVF container), AAC as ADTS, MP3 as it is. Pure. Codecs a raw stream cannot carry are left out.
 */
export function extractElementaryStreams(flv: Uint8Array, mode: DecodeMode): ElementaryStreams {
  let tags: IndexedTag[];
  try {
    tags = indexFlvTags(flv).tags;
  } catch {
    return {};
  }
  const video = new VideoCollector(mode);
  const audio = new AudioCollector();
  for (const t of tags) {
    const body = flv.subarray(t.offset + TAG_HEADER_BYTES, t.offset + TAG_HEADER_BYTES + t.dataSize);
    if (body.length === 0) continue;
    if (t.tagType === TAG_VIDEO) video.add(body, t.timestamp);
    else if (t.tagType === TAG_AUDIO) audio.add(body);
  }
  const out: ElementaryStreams = {};
  const v = video.finish();
  if (v) out.video = v;
  const a = audio.finish();
  if (a) out.audio = a;
  return out;
}

class VideoCollector {
  private readonly setups = new Map<string, VideoCodecSetup>();
  private codec: string | null = null;
  private readonly frames: VideoFrame[] = [];
  private t0 = -1;
  private firstDts = -1;
  private lastDts = -1;
  private count = 0;

  constructor(private readonly mode: DecodeMode) {}

  add(body: Uint8Array, dts: number): void {
    const h = readVideoTagHeader(body, body.length);
    if (h.kind === 'config') this.configure(h.codec, body.subarray(h.headerLen));
    else if (h.kind === 'frame')
      this.frame({
        codec: h.codec,
        dts,
        cts: h.cts,
        key: h.frameType === FRAME_TYPE_KEY,
        payload: body.subarray(h.headerLen),
      });
    else if (h.kind === 'complex') {
      const parsed = parseEnhancedBody(body, 'video');
      if (!parsed.ok) return;
      // the first track only: a monitor checks what the default player shows
      for (const p of parsed.packets.filter((q) => q.track === 0)) {
        const codec = videoFourCcToCodec(p.fourcc);
        if (p.packetType === ENHANCED_SEQUENCE_START) this.configure(codec, p.data);
        else if (p.packetType === ENHANCED_CODED_FRAMES || p.packetType === ENHANCED_CODED_FRAMES_X) {
          this.frame({ codec, dts, cts: p.cts, key: parsed.frameType === FRAME_TYPE_KEY, payload: p.data });
        }
      }
    }
  }

  private configure(codec: string, record: Uint8Array): void {
    const setup = videoCodecSetup(codec, record);
    if (setup) this.setups.set(codec, setup);
  }

  private frame(f: RawFrame): void {
    // every frame counts for the span, decoded or not
    if (this.firstDts < 0) this.firstDts = f.dts;
    this.lastDts = Math.max(this.lastDts, f.dts);
    this.count++;
    const setup = this.setups.get(f.codec);
    if (!setup || !(f.codec in IVF_FOURCC)) return;
    this.codec ??= f.codec;
    if (f.codec !== this.codec) return; // a codec switch mid-sample: the first codec is checked
    if (this.t0 < 0) {
      if (!f.key) return; // nothing before the first keyframe can be decoded
      this.t0 = f.dts;
    }
    if (this.mode === 'keyframes' && !f.key) return;
    const data =
      setup.nalLengthSize > 0
        ? toAnnexB(f.payload, setup.nalLengthSize, f.key ? setup.prefix : EMPTY)
        : withPrefix(f.key ? setup.prefix : EMPTY, f.payload);
    this.frames.push({ ptsMs: f.dts + f.cts - this.t0, data, key: f.key });
  }

  finish(): ElementaryStreams['video'] {
    if (this.codec === null || this.frames.length === 0) return undefined;
    const frameMs = this.count > 1 ? (this.lastDts - this.firstDts) / (this.count - 1) : 0;
    return {
      codec: this.codec,
      fourcc: IVF_FOURCC[this.codec]!,
      frames: this.frames,
      spanMs: this.lastDts - this.t0 + frameMs,
    };
  }
}

const EMPTY = new Uint8Array(0);

function withPrefix(prefix: Uint8Array, payload: Uint8Array): Uint8Array {
  if (prefix.length === 0) return payload;
  const out = new Uint8Array(prefix.length + payload.length);
  out.set(prefix, 0);
  out.set(payload, prefix.length);
  return out;
}

class AudioCollector {
  private adts: AdtsSetup | null = null;
  private format: 'adts' | 'mp3' | null = null;
  private readonly chunks: Uint8Array[] = [];
  private samples = 0;
  private sampleRate = 0;

  add(body: Uint8Array): void {
    const h = readAudioTagHeader(body, body.length);
    if (h.kind === 'config' && h.codec === 'AAC') {
      this.adts = adtsSetup(body.subarray(h.headerLen));
    } else if (h.kind === 'frame' && h.codec === 'AAC' && this.adts && this.format !== 'mp3') {
      const frame = adtsFrame(this.adts, body.subarray(aacPayloadStart(body)));
      if (!frame) return;
      this.format = 'adts';
      this.chunks.push(frame);
      this.samples += AAC_FRAME_SAMPLES;
      this.sampleRate = this.adts.sampleRate;
    } else if (h.kind === 'frame' && h.codec === 'MP3' && h.legacy?.sampleRate && this.format !== 'adts') {
      this.format = 'mp3';
      this.chunks.push(body.subarray(1));
      this.samples += MP3_FRAME_SAMPLES;
      this.sampleRate = h.legacy.sampleRate;
    }
  }

  finish(): ElementaryStreams['audio'] {
    if (this.format === null || this.sampleRate === 0) return undefined;
    return { format: this.format, chunks: this.chunks, spanMs: (this.samples * 1000) / this.sampleRate };
  }
}

/** Legacy AAC tags have a 2-byte header; Enhanced `mp4a` CodedFrames have 1 byte + FourCC. */
function aacPayloadStart(body: Uint8Array): number {
  return body[0]! >> 4 === SOUND_FORMAT_EX_HEADER ? ENHANCED_AUDIO_HEADER_BYTES : LEGACY_AAC_HEADER_BYTES;
}
