// Starts node-media-server 4.4.3 on loopback for the end-to-end test, as a child process of the test.
//
// Environment: NMS_RTMP_PORT, NMS_HTTP_PORT (required), NMS_DATA_DIR (its JSON store; a temp dir the test
// removes), NMS_LOG_LEVEL (default "error"). With NMS_JWT_SECRET, the admin API at /api/v1 is switched on
// with JWT auth for one user NMS_API_USER / NMS_API_PASSWORD, tokens valid for NMS_JWT_EXPIRES (e.g. "3s").
// Prints the line "ready" on stdout once the RTMP and HTTP listeners are bound; NMS's own log lines (only
// at NMS_LOG_LEVEL and above) also go to stdout, prefixed "[time] [LEVEL]", so the test keeps them for its
// failure messages. Exits on SIGTERM after nms.stop().
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const NodeMediaServer = require('node-media-server');
// One shared logger instance; the package has no "exports" map, so the deep path is public enough.
const logger = require('node-media-server/src/core/logger.js');

const port = (name) => {
  const v = Number(process.env[name]);
  if (!Number.isInteger(v) || v < 1 || v > 65535) {
    process.stderr.write(`nms-server: ${name} must be a port number, got "${process.env[name]}"\n`);
    process.exit(2);
  }
  return v;
};
const rtmpPort = port('NMS_RTMP_PORT');
const httpPort = port('NMS_HTTP_PORT');
const dataDir = process.env.NMS_DATA_DIR;
if (!dataDir) {
  process.stderr.write('nms-server: NMS_DATA_DIR is required (NMS writes a JSON store there)\n');
  process.exit(2);
}

// The constructor forces `logger.level = "debug"` and logs its banner before we could lower it, so pin
// the level: writes are ignored from here on.
const quiet = process.env.NMS_LOG_LEVEL ?? 'error';
Object.defineProperty(logger, 'level', { get: () => quiet, set: () => {}, configurable: true });

// Only what the test needs: plain RTMP in, plain HTTP-FLV out, both on loopback. No https/rtmps (they
// would read key files), no auth.jwt unless asked for (it turns on the admin API), no record section (record.auto
// defaults to on and would write every stream to disk), no notify URL, no webadmin.
const config = {
  bind: '127.0.0.1',
  rtmp: { port: rtmpPort },
  http: { port: httpPort },
  store: { path: dataDir },
  webadmin: { enable: false },
};

if (process.env.NMS_JWT_SECRET) {
  // a plaintext password: NMS compares it in constant time and hashes it in memory on the first login
  config.auth = {
    jwt: {
      secret: process.env.NMS_JWT_SECRET,
      expiresIn: process.env.NMS_JWT_EXPIRES ?? '24h',
      algorithm: 'HS256',
      users: [
        { username: process.env.NMS_API_USER ?? 'admin', password: process.env.NMS_API_PASSWORD ?? '', role: 'admin' },
      ],
    },
  };
}

const nms = new NodeMediaServer(config);

/** Resolves when a net.Server is listening; NMS exits the process itself on EADDRINUSE. */
const listening = (server, name) =>
  new Promise((resolve, reject) => {
    if (!server) return reject(new Error(`NMS created no ${name} server`));
    if (server.listening) return resolve();
    server.once('listening', resolve);
  });

try {
  await Promise.all([
    nms.run(),
    listening(nms.rtmpServer.tcpServer, 'RTMP'),
    listening(nms.httpServer.httpServer, 'HTTP'),
  ]);
} catch (err) {
  process.stderr.write(`nms-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
process.stdout.write('ready\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // Players and the publisher hold sockets open; nms.stop() destroys RTMP sockets and ends the listeners.
  await nms.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test's pipe closing means the test process is gone: don't outlive it.
process.stdin.on('end', stop);
process.stdin.resume();
