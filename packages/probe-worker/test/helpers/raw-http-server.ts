/**
 * A loopback TCP server that answers with hand-written bytes: the tests decide exactly what goes on the
 * wire (framing, splits, resets), which a real HTTP server would not let them do.
 */
import net from 'node:net';

export interface RawServer {
  port: number;
  /** http://127.0.0.1:<port><path> */
  url(path?: string): string;
  /** request heads received, in order */
  requests: string[];
  /** sockets closed by the peer or destroyed so far */
  closedSockets(): number;
  close(): Promise<void>;
}

/** Calls `onRequest` with the socket and the request head once the head has arrived. */
export async function startRawServer(
  onRequest: (socket: net.Socket, head: string, server: RawServer) => void,
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  let closed = 0;
  const requests: string[] = [];
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      closed++;
    });
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const h = head.slice(0, end);
      requests.push(h);
      onRequest(socket, h, server);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  const server: RawServer = {
    port,
    url: (path = '/live/test.flv') => `http://127.0.0.1:${port}${path}`,
    requests,
    closedSockets: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
  return server;
}

export { closedPort } from '../../../../tests/support/ports.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes `data` one byte per write, `gapMs` apart, so the client's reads split at every position. */
export async function writeBytewise(socket: net.Socket, data: Buffer, gapMs = 1): Promise<void> {
  for (let i = 0; i < data.length; i++) {
    if (socket.destroyed) return;
    socket.write(data.subarray(i, i + 1));
    await sleep(gapMs);
  }
}
