import { type ClientRequest, get } from 'node:http';

/** Wall-time gaps longer than this between keyframes mean they come live, not in a connect burst. */
const LIVE_GAP_MS = 1_000;

interface VideoArrival {
  /** performance.now() when the whole tag had arrived */
  at: number;
  /** FLV tag timestamp (DTS), ms */
  dts: number;
  key: boolean;
}

export interface LiveWatch {
  /** resolves once keyframes arrive live (the server's own connect burst is over) */
  live(timeoutMs: number): Promise<void>;
  /**
   * The wall time (performance.now()) at which the latest keyframe was at the live edge: its DTS on the
   * earliest arrival line of the live frames seen so far (min of arrival − DTS), so delivery jitter that
   * made a frame late does not count.
   */
  latestKeyframeLiveAt(): number;
  close(): void;
}

/**
 * Reads an HTTP-FLV stream and notes when each video tag arrives, walking the tags itself (this judges the
 * server, not the probe).
 */
export function watchLiveEdge(url: string): LiveWatch {
  const frames: VideoArrival[] = [];
  let buf = Buffer.alloc(0);
  let at = -1;
  const waiters: Array<() => void> = [];
  const req: ClientRequest = get(url, (res) => {
    res.on('data', (chunk: Buffer) => {
      const now = performance.now();
      buf = Buffer.concat([buf, chunk]);
      if (at < 0 && buf.length >= 9) at = buf.readUInt32BE(5) + 4;
      while (at >= 0 && at + 11 <= buf.length) {
        const size = buf.readUIntBE(at + 1, 3);
        if (at + 11 + size + 4 > buf.length) break;
        // a video tag that is not an AVC sequence header (AVCPacketType 0); FrameType 1 = key
        if ((buf[at]! & 0x1f) === 9 && buf[at + 12] !== 0) {
          const dts = (buf[at + 7]! << 24) | buf.readUIntBE(at + 4, 3);
          frames.push({ at: now, dts, key: buf[at + 11]! >> 4 === 1 });
        }
        at += 11 + size + 4;
      }
      buf = buf.subarray(at);
      at = 0;
      for (const w of waiters.splice(0)) w();
    });
  });
  req.on('error', () => {});
  const keys = () => frames.filter((f) => f.key);
  const liveFrom = () => {
    const k = keys();
    const i = k.findIndex((f, j) => j > 0 && f.at - k[j - 1]!.at > LIVE_GAP_MS);
    return i < 0 ? undefined : k[i]!;
  };
  return {
    live(timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no live keyframe on ${url} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          if (liveFrom() !== undefined) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    latestKeyframeLiveAt() {
      const first = liveFrom();
      if (!first) throw new Error('the stream is not live yet');
      let offset = Infinity;
      for (const f of frames) if (f.dts >= first.dts) offset = Math.min(offset, f.at - f.dts);
      return keys().at(-1)!.dts + offset;
    },
    close() {
      req.destroy();
    },
  };
}
