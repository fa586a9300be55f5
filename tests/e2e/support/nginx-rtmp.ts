import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child, freePorts, sleep } from './processes.js';

/** Where Debian's libnginx-mod-rtmp puts the module (scripts/setup.sh --system installs it). */
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface NginxRtmp {
  child: Child;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx with the RTMP module, as a child of the test: its own config, pid and logs in a temp
 * dir, in the foreground (`daemon off`, `master_process off`), listening on one loopback port with one
 * live application `live`. Resolves once the port accepts connections.
 */
export async function startNginxRtmp(): Promise<NginxRtmp> {
  const dir = await mkdtemp(join(tmpdir(), 'video-exporter-nginx-rtmp-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [port] = (await freePorts(1)) as [number];
    const conf = [
      `load_module ${NGINX_RTMP_MODULE};`,
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      `rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application live { live on; } } }`,
    ].join('\n');
    await writeFile(join(dir, 'nginx.conf'), conf);
    const child = new Child(
      'nginx-rtmp',
      'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      { cwd: dir },
    );
    try {
      await waitForPort(port, child, 10_000);
      return {
        child,
        port,
        dir,
        stop: async () => {
          await child.stop(2_000);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      await child.stop(1_000);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function waitForPort(port: number, child: Child, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.done) throw new Error(`nginx exited before listening\n${child.output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms\n${child.output()}`);
}
