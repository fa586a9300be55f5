/**
 * Message body framing of a response (RFC 9112 §6.3): Transfer-Encoding chunked, Content-Length, or
 * delimited by the connection closing. Hands the body on as views of the pushed slices (no copy).
 */
import { ChunkedDecoder, type DataSink } from './chunked.js';
import { headerValue, type ResponseHead } from './response-head.js';

export type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

export type BodyResult = { kind: 'more' } | { kind: 'done' } | { kind: 'stopped' } | { kind: 'error'; message: string };

/** Framing of a 200 response's body, or an error message for framing we cannot read. */
export function framingOf(head: ResponseHead): Framing | { kind: 'error'; message: string } {
  const te = headerValue(head, 'transfer-encoding');
  if (te !== undefined) {
    // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3 item 3)
    const codings = te
      .split(',')
      .map((c) => c.trim().toLowerCase())
      .filter((c) => c !== '' && c !== 'identity');
    // we send no TE header, so any coding other than chunked would be bytes we cannot decode
    const foreign = codings.find((c) => c !== 'chunked');
    if (foreign !== undefined) return { kind: 'error', message: `unsupported transfer-coding "${foreign}"` };
    if (codings.length > 1) return { kind: 'error', message: 'chunked applied more than once' };
    return codings.length === 1 ? { kind: 'chunked' } : { kind: 'close' };
  }
  const cl = headerValue(head, 'content-length');
  if (cl !== undefined) {
    // duplicated fields or "n, n" lists are fine when all values agree (RFC 9112 §6.3 item 5)
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
      return { kind: 'error', message: `invalid Content-Length "${cl.slice(0, 40)}"` };
    }
    return { kind: 'length', length: Number(only) };
  }
  return { kind: 'close' };
}

const MORE: BodyResult = { kind: 'more' };
const DONE: BodyResult = { kind: 'done' };
const STOPPED: BodyResult = { kind: 'stopped' };

export class BodyReader {
  private readonly chunked: ChunkedDecoder | undefined;
  private remaining: number;
  private finished = false;

  constructor(readonly framing: Framing) {
    this.chunked = framing.kind === 'chunked' ? new ChunkedDecoder() : undefined;
    this.remaining = framing.kind === 'length' ? framing.length : Infinity;
    if (this.remaining === 0) this.finished = true;
  }

  /** True when the body is complete without waiting for more bytes (e.g. Content-Length: 0). */
  get complete(): boolean {
    return this.finished;
  }

  push(chunk: Uint8Array, start: number, end: number, sink: DataSink): BodyResult {
    if (this.finished) return DONE;
    if (start >= end) return MORE;
    if (this.chunked) {
      const r = this.chunked.push(chunk, start, end, sink);
      if (r.kind === 'done') this.finished = true;
      return r;
    }
    if (this.framing.kind === 'length') {
      const n = Math.min(this.remaining, end - start);
      this.remaining -= n;
      if (this.remaining === 0) this.finished = true;
      if (!sink(chunk, start, start + n)) return STOPPED;
      return this.finished ? DONE : MORE;
    }
    return sink(chunk, start, end) ? MORE : STOPPED;
  }

  /**
   * The connection closed (clean FIN). Close-delimited bodies are complete; a Content-Length or chunked
   * body that is not complete was truncated.
   */
  onEof(): { kind: 'done' } | { kind: 'truncated'; message: string } {
    if (this.finished || this.framing.kind === 'close') {
      this.finished = true;
      return DONE as { kind: 'done' };
    }
    if (this.framing.kind === 'length') {
      const got = this.framing.length - this.remaining;
      return { kind: 'truncated', message: `connection closed after ${got} of ${this.framing.length} body bytes` };
    }
    return { kind: 'truncated', message: 'connection closed before the last chunk of a chunked body' };
  }
}
