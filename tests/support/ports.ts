/**
 * Loopback ports for tests: bound to port 0 (so the kernel picks free ones), read, released. Another
 * process may take one in between; callers that start a child on it retry when the child cannot listen.
 */
import { type AddressInfo, createServer, type Server } from 'node:net';

/** `count` distinct ports that were free on 127.0.0.1 a moment ago (bound at once, so all differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** One port free on 127.0.0.1 a moment ago: for a server a test starts on it. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** A port nothing listens on (bound, then closed): a connection to it is refused. */
export const closedPort = freePort;
