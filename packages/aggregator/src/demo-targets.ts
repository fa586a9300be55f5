import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The embedded demo's discovery source: an http_sd list on loopback naming one more stream of the demo
 * source, so a newcomer sees a discovered stream (source "demo-sd") beside the configured ones.
 */
export async function startDemoTargets(base: string): Promise<{ url: string; close(): Promise<void> }> {
  const body = JSON.stringify([
    {
      targets: [`${base}/demo/discovered.flv`],
      labels: { project: 'DEMO', line: 'cdn', id: 'discovered', role: 'discovered' },
    },
  ]);
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/targets.json`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
