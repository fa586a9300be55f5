/** A loopback HTTP server whose answer the test sets per request: for bad API input and changing lists. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status?: number;
  type?: string;
  body: string;
}

export interface ScriptedServer {
  url: string;
  answer: (req: IncomingMessage) => Answer;
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

export async function startScriptedServer(answer: ScriptedServer['answer']): Promise<ScriptedServer> {
  const s: ScriptedServer = { url: '', answer, requests: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      s.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const a = s.answer(req);
      res.writeHead(a.status ?? 200, { 'content-type': a.type ?? 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return s;
}
