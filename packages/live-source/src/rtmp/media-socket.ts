import type { Socket } from 'node:net';
import type { StreamSocket } from '../live-stream.js';
import { FlvToRtmp } from './flv-to-rtmp.js';

/** What a LiveStream writes as FLV goes out on an RTMP connection as chunked media messages. */
export class RtmpMediaSocket implements StreamSocket {
  private readonly converter: FlvToRtmp;
  private readonly out: Buffer[] = [];

  constructor(
    private readonly socket: Socket,
    streamId: number,
    chunkSize: number,
  ) {
    this.converter = new FlvToRtmp(streamId, chunkSize);
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Buffer): boolean {
    this.converter.push(bytes, this.out);
    let ok = true;
    for (const b of this.out) ok = this.socket.write(b);
    this.out.length = 0;
    return ok;
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  destroy(): void {
    this.socket.destroy();
  }

  on(event: 'drain', listener: () => void): this {
    this.socket.on(event, listener);
    return this;
  }
}
