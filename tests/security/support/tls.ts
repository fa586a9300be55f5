/**
 * Test-time certificates (Debian's openssl, as an operator would make them) and small HTTPS / raw-socket
 * clients that let a test choose the CA, SNI, TLS versions and client certificate.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { SecureVersion } from 'node:tls';

export interface Certs {
  /** self-signed server certificate for localhost / 127.0.0.1, and its key */
  serverCrt: string;
  serverKey: string;
  /** a CA, and a client certificate it signed (mTLS) */
  caCrt: string;
  clientCrt: string;
  clientKey: string;
  /** a self-signed client certificate no CA vouches for */
  strangerCrt: string;
  strangerKey: string;
}

/** Makes every certificate in `dir` (files named as the fields, with .crt/.key) and returns their paths. */
export function makeCerts(dir: string): Certs {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const selfSigned = (name: string, cn: string, ...extra: string[]) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-days',
      '1',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      ...extra,
    );
  selfSigned('server', 'localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  selfSigned('ca', 'video-exporter test CA');
  selfSigned('stranger', 'stranger');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=prometheus',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    'client.crt',
  );
  const p = (f: string) => `${dir}/${f}`;
  return {
    serverCrt: p('server.crt'),
    serverKey: p('server.key'),
    caCrt: p('ca.crt'),
    clientCrt: p('client.crt'),
    clientKey: p('client.key'),
    strangerCrt: p('stranger.crt'),
    strangerKey: p('stranger.key'),
  };
}

/** bcrypt through the exporter's own dependency (the root workspace does not install it) */
export function bcryptHash(password: string, cost = 4): string {
  const bcrypt = createRequire(new URL('../../../packages/aggregator/package.json', import.meta.url))('bcryptjs') as {
    hashSync(p: string, c: number): string;
  };
  return bcrypt.hashSync(password, cost);
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpsOptions {
  /** PEM file of the CA to trust; undefined = the system store (the self-signed server cert fails) */
  ca?: string;
  /** user:password for Basic auth */
  auth?: string;
  servername?: string;
  maxVersion?: SecureVersion;
  cert?: string;
  key?: string;
  timeoutMs?: number;
}

/** GET over HTTPS with a fresh connection; rejects on TLS or network errors. */
export function httpsGet(url: string, o: HttpsOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        agent: false,
        ...(o.ca ? { ca: readFileSync(o.ca) } : {}),
        ...(o.auth ? { auth: o.auth } : {}),
        servername: o.servername ?? 'localhost',
        ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
        ...(o.cert ? { cert: readFileSync(o.cert) } : {}),
        ...(o.key ? { key: readFileSync(o.key) } : {}),
        timeout: o.timeoutMs ?? 5_000,
      },
      (res) => collectAnswer(res, resolve, reject),
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** GET over plain HTTP (a fresh connection); rejects on network errors. */
export function httpGet(url: string, headers: Record<string, string> = {}, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers, timeout: timeoutMs }, (res) =>
      collectAnswer(res, resolve, reject),
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Writes `text` on a raw TCP connection and collects everything until the server closes (or timeout). */
export function rawExchange(port: number, text: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve(got);
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('data', (c: string) => (got += c));
    s.on('error', (err) => {
      clearTimeout(t);
      if (got !== '') resolve(got);
      else reject(err);
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve(got);
    });
    s.write(text);
  });
}

/** Reads a whole response body as text into an Answer. */
function collectAnswer(res: http.IncomingMessage, resolve: (a: Answer) => void, reject: (err: Error) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (body += c));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
  res.on('error', reject);
}
