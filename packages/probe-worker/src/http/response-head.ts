/**
 * Incremental parser of an HTTP/1.x response head (RFC 9112 §4 status-line, §5 field lines), fed
 * arbitrary slices of the socket's bytes.
 *
 * The head is capped (16 KiB by default): a live-stream server needs a few hundred bytes, and a peer
 * that sends more without ending the head is not an HTTP server worth waiting for. Bytes of the head are
 * copied (the read buffer is reused); body bytes that follow it in the same slice are not touched.
 * Lenient where real servers are sloppy: bare LF line ends, a status line without reason phrase, field
 * lines without a colon (ignored), obsolete line folding (joined).
 */

export interface ResponseHead {
  /** "1.1", "1.0" */
  version: string;
  status: number;
  reason: string;
  /** lower-cased field name → values in order of appearance */
  headers: Map<string, string[]>;
}

export type HeadParseResult =
  | { kind: 'more' }
  /** `bodyStart`: index in the pushed slice where the bytes after the head begin */
  | { kind: 'done'; head: ResponseHead; bodyStart: number }
  | { kind: 'error'; message: string };

export const DEFAULT_MAX_HEAD_BYTES = 16 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const MORE: HeadParseResult = { kind: 'more' };
const HTTP_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

const STATUS_LINE_RE = /^HTTP\/(\d)\.(\d) (\d{3})(?:[ \t](.*))?$/;

export class ResponseHeadParser {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  /** bytes in the current line, CRs not counted: 0 at an LF means the empty line ending the head */
  private lineLen = 0;
  private failed = false;

  constructor(private readonly maxBytes = DEFAULT_MAX_HEAD_BYTES) {}

  /** Bytes of head consumed so far. */
  get bytes(): number {
    return this.size;
  }

  push(chunk: Uint8Array, start = 0, end = chunk.length): HeadParseResult {
    if (this.failed) return { kind: 'error', message: 'parser already failed' };
    let i = start;
    let doneAt = -1;
    for (; i < end; i++) {
      const b = chunk[i]!;
      // a non-HTTP peer (RTMP, raw FLV, TLS on an http:// URL) is told apart at once, not after 16 KiB
      const pos = this.size + (i - start);
      if (pos < HTTP_PREFIX.length && b !== HTTP_PREFIX[pos]) {
        return this.fail('response does not start with "HTTP/" (not an HTTP server?)');
      }
      if (b === LF) {
        if (this.lineLen === 0 && pos > 0) {
          doneAt = i + 1;
          break;
        }
        this.lineLen = 0;
      } else if (b !== CR) {
        this.lineLen++;
      }
    }
    const stop = doneAt >= 0 ? doneAt : end;
    if (this.size + (stop - start) > this.maxBytes) {
      return this.fail(`response head larger than ${this.maxBytes} bytes`);
    }
    if (stop > start) {
      // copy (the read buffer is reused); not chunk.slice(): on a Buffer that is a view
      this.parts.push(new Uint8Array(chunk.subarray(start, stop)));
      this.size += stop - start;
    }
    if (doneAt < 0) return MORE;
    const parsed = parseHead(Buffer.concat(this.parts, this.size).toString('latin1'));
    if (typeof parsed === 'string') return this.fail(parsed);
    return { kind: 'done', head: parsed, bodyStart: doneAt };
  }

  private fail(message: string): HeadParseResult {
    this.failed = true;
    this.parts.length = 0;
    return { kind: 'error', message };
  }
}

/** Parses a complete head (ending in the empty line); returns an error message on failure. */
function parseHead(text: string): ResponseHead | string {
  const lines = text.split(/\r?\n/);
  const statusLine = lines[0]!.replace(/\r+$/, '');
  const m = STATUS_LINE_RE.exec(statusLine);
  if (!m) return `malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`;
  const headers = new Map<string, string[]>();
  let last: { name: string; values: string[] } | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r+$/, '');
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      // obs-fold (RFC 9112 §5.2): continuation of the previous field value
      const idx = last.values.length - 1;
      last.values[idx] = `${last.values[idx]!} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    let values = headers.get(name);
    if (!values) {
      values = [];
      headers.set(name, values);
    }
    values.push(value);
    last = { name, values };
  }
  return { version: `${m[1]}.${m[2]}`, status: Number(m[3]), reason: m[4] ?? '', headers };
}

/** The single value of a field, or the values joined by ", " (RFC 9110 §5.3). */
export function headerValue(head: ResponseHead, name: string): string | undefined {
  const values = head.headers.get(name);
  return values === undefined ? undefined : values.join(', ');
}
