/**
 * The one interface the probe reads a stream through, whatever the transport (HTTP-FLV, RTMP): options
 * in, media delivered synchronously to a sink, one outcome with timings out. The probe never learns
 * which transport it has; the sink offers both ways media can arrive (an FLV byte stream, or tag bodies
 * with their type and timestamp as RTMP messages carry them) and each transport uses the one it has.
 */
import type { BodyVerdict, HttpProbeOptions, HttpProbeOutcome } from '../http/types.js';

export type { BodyVerdict };

export interface MediaSink {
  /** A socket read delivered media at `nowMs` (monotonic); called before that read's bytes or tags. */
  onRead(nowMs: number): void;
  /** FLV bytes (HTTP-FLV body) `bytes[start, end)`; the buffer's contents are only valid during the call. */
  onBytes(bytes: Uint8Array, start: number, end: number): BodyVerdict;
  /** One FLV tag body (8 audio, 9 video, 18 script data); a view only valid during the call. */
  onTag(tagType: number, timestamp: number, body: Uint8Array): BodyVerdict;
  /** A tag body of `size` bytes begins; it follows in pieces through onTagData (no copy to reassemble it). */
  onTagStart(tagType: number, timestamp: number, size: number): BodyVerdict;
  /** The next piece of the tag begun by onTagStart; a view only valid during the call. */
  onTagData(piece: Uint8Array): BodyVerdict;
}

/** The transport options: the HTTP client's, with a sink instead of its body callback. */
export interface SourceOptions extends Omit<HttpProbeOptions, 'onBody'> {
  sink: MediaSink;
}

/**
 * HTTP's outcome, which every transport fills as far as it applies (no status, no redirects for RTMP),
 * plus the fields of transports with a session before the media: for RTMP `handshakeMs` (C0+C1 sent →
 * S2 received) and `playStarted` (NetStream.Play.Start or the first media message).
 */
export interface SourceOutcome extends HttpProbeOutcome {
  handshakeMs?: number;
  playStarted?: boolean;
}
