import { get, type IncomingHttpHeaders } from 'node:http';
import { sleep } from './processes.js';

/** One whole tag found in an FLV byte prefix. */
export interface FlvTagRef {
  /** TagType: 8 audio, 9 video, 18 script data */
  type: number;
  /** offset of the tag's Data (after its 11-byte header) in the prefix */
  dataOffset: number;
  dataSize: number;
}

/**
 * The whole tags of an FLV prefix, walked independently of the project's parser (this helper judges the
 * server, not the probe). An unfinished last tag is left out; a prefix without the "FLV" signature has none.
 */
export function flvTags(bytes: Uint8Array): FlvTagRef[] {
  if (bytes.length < 9 || bytes[0] !== 0x46 || bytes[1] !== 0x4c || bytes[2] !== 0x56) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // DataOffset: header length, then PreviousTagSize0 (UI32) before the first tag.
  let at = view.getUint32(5) + 4;
  const tags: FlvTagRef[] = [];
  while (at + 11 <= bytes.length) {
    const type = bytes[at]! & 0x1f;
    // DataSize: UI24 after the TagType byte
    const dataSize = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (at + 11 + dataSize > bytes.length) break;
    tags.push({ type, dataOffset: at + 11, dataSize });
    at += 11 + dataSize + 4; // + PreviousTagSize
  }
  return tags;
}

export interface FlvPrefix {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

/**
 * GET `url` and read the body until `enough` says so or `ms` pass, then drop the connection (a live
 * HTTP-FLV body never ends by itself). Rejects only when there is no HTTP response at all.
 */
export function readFlvPrefix(
  url: string,
  ms: number,
  enough: (bytes: Buffer) => boolean = () => false,
): Promise<FlvPrefix> {
  return new Promise<FlvPrefix>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let head: { status: number; headers: IncomingHttpHeaders } | undefined;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      // After the response head, whatever body was read is the answer; before it, there is none.
      if (head) resolve({ ...head, bytes: Buffer.concat(chunks, length) });
      else reject(err ?? new Error(`no HTTP response from ${url} within ${ms} ms`));
    };
    const req = get(url, { agent: false }, (res) => {
      head = { status: res.statusCode ?? 0, headers: res.headers };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (enough(Buffer.concat(chunks, length))) finish();
      });
      res.on('end', () => finish());
      res.on('error', (err) => finish(err));
    });
    req.on('error', (err) => finish(err));
    const timer = setTimeout(() => finish(), ms);
  });
}

const hasVideoTag = (bytes: Buffer) => flvTags(bytes).some((t) => t.type === 9);

/**
 * Polls `url` until its body carries a whole video tag. A bare FLV header is not enough: node-media-server
 * answers any path with 200 and a header, published or not. Throws after `deadlineMs`.
 */
export async function waitForVideoTag(url: string, deadlineMs: number): Promise<FlvPrefix> {
  const until = Date.now() + deadlineMs;
  let last = 'no attempt';
  while (Date.now() < until) {
    try {
      const prefix = await readFlvPrefix(url, Math.min(1_000, Math.max(100, until - Date.now())), hasVideoTag);
      if (hasVideoTag(prefix.bytes)) return prefix;
      last = `HTTP ${prefix.status}, ${prefix.bytes.length} body bytes, no video tag`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${url} carried no video tag within ${deadlineMs} ms (last: ${last})`);
}

/** The AMF0 string at `offset` (marker 0x02, UI16 length, UTF-8), or undefined if another type is there. */
export function amf0StringAt(bytes: Uint8Array, offset: number): string | undefined {
  if (bytes[offset] !== 0x02 || offset + 3 > bytes.length) return undefined;
  const length = (bytes[offset + 1]! << 8) | bytes[offset + 2]!;
  if (offset + 3 + length > bytes.length) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset + 3, length).toString('utf8');
}
