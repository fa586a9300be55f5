/**
 * Small loopback servers that provoke the failures the live test source cannot: a closed port, a TLS
 * server with a self-signed certificate (made at test time with Debian's openssl), a connection reset in
 * the middle of an FLV body, a peer that does not speak HTTP, and a server that echoes the request back
 * in its status line (to check that what a hostile server says is redacted too).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';

export interface Closable {
  /** http(s)://127.0.0.1:port */
  url: string;
  port: number;
  close(): Promise<void>;
}

export { closedPort } from '../../support/ports.js';

/** Listens on 127.0.0.1:0 and tracks sockets, so close() does not wait for clients. */
async function listen(server: net.Server, scheme: 'http' | 'https' | 'rtmp'): Promise<Closable> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Calls `onHead(socket, head)` once a whole request head (up to CRLF CRLF) arrived. */
function onRequestHead(socket: net.Socket, onHead: (head: string) => void): void {
  let text = '';
  let done = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    if (done) return;
    text += chunk;
    if (text.includes('\r\n\r\n')) {
      done = true;
      onHead(text.slice(0, text.indexOf('\r\n\r\n')));
    }
  });
  socket.on('error', () => {});
}

/**
 * 200 + an FLV body cut in the middle of a tag, then a TCP RST (SO_LINGER 0) `resetAfterMs` later, once
 * the client has read the bytes (a RST that lands together with unread data can surface as a plain EOF).
 */
export async function startResetServer(body: Uint8Array, resetAfterMs = 300): Promise<Closable> {
  const server = net.createServer((socket) => {
    onRequestHead(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nConnection: close\r\n\r\n');
      socket.write(body);
      const t = setTimeout(() => socket.resetAndDestroy(), resetAfterMs);
      socket.once('close', () => clearTimeout(t));
    });
  });
  return listen(server, 'http');
}

/** A peer that answers an HTTP request with something that is not HTTP (an SSH banner), then closes. */
export async function startNotHttpServer(): Promise<Closable> {
  const server = net.createServer((socket) => {
    onRequestHead(socket, () => socket.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n'));
  });
  return listen(server, 'http');
}

/** Answers the first bytes of any connection (an RTMP C0+C1 too) with an SSH banner and closes. */
export async function startBannerServer(): Promise<Closable> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  });
  return listen(server, 'rtmp');
}

export interface EchoServer extends Closable {
  /** request heads received, as sent */
  heads: string[];
}

/**
 * A hostile server: answers 403 with a status line that repeats the request target and every request
 * header value, so any secret the probe sends comes back in the probe's error message.
 */
export async function startEchoServer(): Promise<EchoServer> {
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    onRequestHead(socket, (head) => {
      heads.push(head);
      const lines = head.split('\r\n');
      const target = lines[0]!.split(' ')[1] ?? '';
      const values = lines.slice(1).map((l) => l.slice(l.indexOf(':') + 1).trim());
      const reason = `denied ${target} ${values.join(' ')}`.replace(/[\r\n]/g, ' ');
      socket.end(`HTTP/1.1 403 ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    });
  });
  const handle = await listen(server, 'http');
  return { ...handle, heads };
}

export interface SelfSigned {
  cert: Buffer;
  key: Buffer;
}

/** A fresh self-signed certificate for 127.0.0.1 / localhost (EC P-256: made in milliseconds). */
export function makeSelfSignedCert(dir: string): SelfSigned {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/**
 * A TLS front with a self-signed certificate that forwards every connection to a plain HTTP port (the live
 * source): with certificate verification the probe fails with `tls`; with `insecure_tls` it streams.
 */
export async function startTlsProxy(cert: SelfSigned, targetPort: number): Promise<Closable> {
  const server = tls.createServer({ cert: cert.cert, key: cert.key }, (clear) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    clear.pipe(upstream).pipe(clear);
    const drop = () => {
      clear.destroy();
      upstream.destroy();
    };
    clear.on('error', drop);
    upstream.on('error', drop);
    clear.on('close', drop);
    upstream.on('close', drop);
  });
  // a client that rejects our certificate aborts the handshake: not an error of the test
  server.on('tlsClientError', () => {});
  return listen(server, 'https');
}
