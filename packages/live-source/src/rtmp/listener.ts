import net from 'node:net';
import { type RtmpHost, RtmpServerConnection } from './connection.js';

/** The RTMP side of the live source: one more listener whose connections share the HTTP side's timelines. */
export async function startRtmpListener(
  host: string,
  port: number,
  handler: RtmpHost & { track(socket: net.Socket): void },
): Promise<net.Server> {
  const server = net.createServer((socket) => {
    handler.track(socket);
    new RtmpServerConnection(socket, handler);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
