import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError, loadConfigFile, type Config } from '../config/index.js';
import { startDemo } from '../demo.js';
import { Exporter } from '../exporter.js';
import { BasicAuth, WebConfigError, loadWebConfigFile, type WebSecurity } from '../http/index.js';
import { createLogger, type Logger } from '../logging.js';

const FORCE_EXIT_MS = 9_000;
const RELOAD_DEBOUNCE_MS = 500;

export interface RunOptions {
  configPath?: string;
  /** overrides the listen address of the config ("host:port" or port) */
  listen?: string;
  /** --web.config.file: exporter-toolkit web config (TLS, basic auth) */
  webConfigPath?: string;
}

/** `video-exporter run`: the main job. Resolves with the exit code once shut down. */
export async function runCommand(o: RunOptions): Promise<number> {
  // first: a bad web config must stop the start before anything (the demo source) is running
  let web: WebSecurity | undefined;
  if (o.webConfigPath) {
    try {
      web = toWebSecurity(await loadWebConfigFile(o.webConfigPath));
    } catch (err) {
      if (err instanceof WebConfigError) {
        process.stderr.write(`video-exporter: invalid web config ${o.webConfigPath}:\n${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }
  let config: Config;
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  if (o.configPath) {
    try {
      config = await loadConfigFile(o.configPath);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`video-exporter: invalid config ${o.configPath}:\n${err.message}\n`);
        return 2;
      }
      throw err;
    }
  } else {
    demo = await startDemo();
    config = demo.config;
  }
  const logger = createLogger(config.exporter.log_level);
  if (demo) logger.info('no config given: running the embedded demo', { source: demo.source.url });
  if (o.webConfigPath) {
    logger.info('web config loaded', {
      file: o.webConfigPath,
      tls: web?.tls !== undefined,
      ...(web?.tls ? { cert_file: web.tls.certFile, min_version: web.tls.minVersion, client_certificates: web.tls.clientCa !== undefined } : {}),
      basic_auth: web?.auth !== undefined,
    });
  }

  const listen = o.listen ? parseListen(o.listen) : undefined;
  const exporter = new Exporter({ config, configPath: o.configPath ?? null, logger, ...(listen ? { listen } : {}), ...(web ? { web } : {}) });
  installProcessHandlers(logger, exporter);
  const stopAll = () => Promise.allSettled([exporter.stop(), demo?.source.close()]);
  // a pod stopped while it starts (the first DNS look-up takes seconds when DNS is slow) must still
  // exit 0: remember the signal, finish starting, then shut down
  let earlySignal: NodeJS.Signals | undefined;
  const onEarlySignal = (signal: NodeJS.Signals): void => {
    earlySignal ??= signal;
  };
  process.on('SIGTERM', onEarlySignal);
  process.on('SIGINT', onEarlySignal);
  try {
    await exporter.start();
  } catch (err) {
    // settings only the environment can break (SHARD_INDEX, POD_IP) surface here, as config errors
    await stopAll();
    if (err instanceof ConfigError) {
      process.stderr.write(`video-exporter: cannot start: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    process.off('SIGTERM', onEarlySignal);
    process.off('SIGINT', onEarlySignal);
  }
  if (earlySignal !== undefined) {
    logger.info(`received ${earlySignal} while starting`);
    await stopAll();
    return 0;
  }

  let watcher: FSWatcher | undefined;
  let reloadTimer: NodeJS.Timeout | undefined;
  const reload = async (why: string) => {
    if (!o.configPath) return;
    logger.info(`reloading config (${why})`);
    try {
      exporter.applyConfig(await loadConfigFile(o.configPath));
    } catch (err) {
      exporter.reloadFailed(err instanceof ConfigError ? err.message : (err as Error).message);
    }
  };
  const scheduleReload = (why: string) => {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => void reload(why), RELOAD_DEBOUNCE_MS);
  };
  process.on('SIGHUP', () => scheduleReload('SIGHUP'));
  if (o.configPath) {
    try {
      // Watch the directory, not the file: editors and config tools replace the file (write a sibling,
      // rename it over), after which a watch on the file's old inode never fires again; Kubernetes
      // updates a mounted ConfigMap by swapping the `..data` symlink next to it.
      const base = basename(o.configPath);
      watcher = watch(dirname(o.configPath), (_event, name) => {
        if (name === null || name === base || name === '..data') scheduleReload('file changed');
      });
      watcher.on('error', (err) => logger.warn(`config file watch failed: ${err.message}`));
    } catch (err) {
      logger.warn(`cannot watch the config file: ${(err as Error).message}`);
    }
  }

  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`received ${signal}`);
      const force = setTimeout(() => {
        logger.error('shutdown took too long, exiting');
        process.exit(1);
      }, FORCE_EXIT_MS);
      force.unref();
      watcher?.close();
      clearTimeout(reloadTimer);
      void stopAll().then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

function toWebSecurity(c: Awaited<ReturnType<typeof loadWebConfigFile>>): WebSecurity {
  return {
    ...(c.tls ? { tls: c.tls } : {}),
    ...(c.basicAuthUsers ? { auth: new BasicAuth({ users: c.basicAuthUsers }) } : {}),
  };
}

function parseListen(text: string): { host?: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(text);
  if (!m) throw new Error(`--listen: cannot parse "${text}"`);
  return { ...(m[1] ? { host: m[1].replace(/^\[|\]$/g, '') } : {}), port: Number(m[2]) };
}

/** Unhandled rejections and exceptions are logged and counted instead of killing the process silently. */
function installProcessHandlers(logger: Logger, exporter: Exporter): void {
  process.on('unhandledRejection', (reason) => {
    exporter.countUnhandled('rejection');
    logger.error('unhandled promise rejection', { error: String((reason as Error)?.stack ?? reason) });
  });
  process.on('uncaughtException', (err) => {
    exporter.countUnhandled('exception');
    logger.error('uncaught exception', { error: String(err.stack ?? err) });
  });
}
