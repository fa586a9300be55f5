import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type Config, ConfigError, loadConfigFile, parseListenAddr } from '../config/index.js';
import type { startDemo } from '../demo.js';
import { Exporter } from '../exporter.js';
import { preferSmallHeap } from '../heap-settings.js';
import { BasicAuth, loadWebConfigFile, WebConfigError, type WebSecurity } from '../http/index.js';
import { createLogger, type Logger } from '../logging.js';
import { UsageError } from './usage.js';

const FORCE_EXIT_MS = 9_000;
const RELOAD_DEBOUNCE_MS = 500;

export interface RunOptions {
  configPath?: string;
  /** overrides the listen address of the config ("host:port" or port) */
  listen?: string;
  /** --web.config.file: exporter-toolkit web config (TLS, basic auth) */
  webConfigPath?: string;
}

type Demo = Awaited<ReturnType<typeof startDemo>>;

/** Exit code 2: a bad flag, config file, web config or environment; printed as one line (or one block). */
const EXIT_BAD_INPUT = 2;

/** `video-exporter run`: the main job. Resolves with the exit code once shut down. */
export async function runCommand(o: RunOptions): Promise<number> {
  // everything that can be wrong with the input is checked before anything (the demo source) runs
  const listen = o.listen === undefined ? undefined : parseListenFlag(o.listen);
  const web = await loadWebSecurity(o.webConfigPath);
  if (typeof web === 'number') return web;
  const loaded = await loadRunConfig(o.configPath);
  if (typeof loaded === 'number') return loaded;
  const { config, demo } = loaded;

  preferSmallHeap();
  const logger = createLogger(config.exporter.log_level);
  if (demo) logger.info('no config given: running the embedded demo', { source: demo.source.url });
  if (o.webConfigPath) logWebConfig(logger, o.webConfigPath, web);

  const exporter = new Exporter({
    config,
    configPath: o.configPath ?? null,
    logger,
    ...(listen ? { listen } : {}),
    ...(web ? { web } : {}),
  });
  installProcessHandlers(logger, exporter);
  const stopAll = () => Promise.allSettled([exporter.stop(), demo?.source.close()]);
  const started = await startExporter(exporter, logger, stopAll);
  if (started !== 'running') return started;

  const watcher = o.configPath ? watchConfig(o.configPath, exporter, logger) : undefined;
  return waitForShutdown(logger, async () => {
    watcher?.close();
    await stopAll();
  });
}

/**
 * `--listen`: the forms of `listen_addr`, plus port 0 (an ephemeral port: tests and the demo). A bad value
 * is a usage error (one line, exit 2) before anything has started.
 */
export function parseListenFlag(text: string): { host?: string; port: number } {
  const ephemeral = /(^|:)0$/.test(text);
  const parsed = parseListenAddr(ephemeral ? `${text.slice(0, -1)}1` : text);
  if (!parsed.ok) throw new UsageError(`--listen ${JSON.stringify(text)}: ${parsed.reason}`);
  const { host, port } = parsed.addr;
  return { ...(host ? { host: host.replace(/^\[|\]$/g, '') } : {}), port: ephemeral ? 0 : port };
}

/** --web.config.file, read and checked first: a bad one must stop the start before anything runs. */
async function loadWebSecurity(path: string | undefined): Promise<WebSecurity | undefined | number> {
  if (!path) return undefined;
  try {
    return toWebSecurity(await loadWebConfigFile(path));
  } catch (err) {
    if (!(err instanceof WebConfigError)) throw err;
    process.stderr.write(`video-exporter: invalid web config ${path}:\n${err.message}\n`);
    return EXIT_BAD_INPUT;
  }
}

/** The config file, or with none the embedded demo (its source started here). */
async function loadRunConfig(path: string | undefined): Promise<{ config: Config; demo?: Demo } | number> {
  if (!path) {
    // the demo's live source (and its FLV and RTMP code) loads only for the demo
    const { startDemo } = await import('../demo.js');
    const demo = await startDemo();
    return { config: demo.config, demo };
  }
  try {
    return { config: await loadConfigFile(path) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`video-exporter: invalid config ${path}:\n${err.message}\n`);
    return EXIT_BAD_INPUT;
  }
}

function logWebConfig(logger: Logger, file: string, web: WebSecurity | undefined): void {
  const tls = web?.tls;
  logger.info('web config loaded', {
    file,
    tls: tls !== undefined,
    ...(tls
      ? { cert_file: tls.certFile, min_version: tls.minVersion, client_certificates: tls.clientCa !== undefined }
      : {}),
    basic_auth: web?.auth !== undefined,
  });
}

/** Socket errors of the listening address that are the operator's to fix, not a bug. */
const LISTEN_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Starts the exporter. A pod stopped while it starts (the first DNS look-up takes seconds when DNS is
 * slow) must still exit 0: the signal is remembered, starting finishes, then everything stops. Settings
 * only the environment can break (SHARD_INDEX, POD_IP, a listen address in use) end the start with one
 * line and exit 2, after whatever had started is stopped.
 */
async function startExporter(
  exporter: Exporter,
  logger: Logger,
  stopAll: () => Promise<unknown>,
): Promise<'running' | number> {
  let earlySignal: NodeJS.Signals | undefined;
  const onEarlySignal = (signal: NodeJS.Signals): void => {
    earlySignal ??= signal;
  };
  process.on('SIGTERM', onEarlySignal);
  process.on('SIGINT', onEarlySignal);
  try {
    await exporter.start();
  } catch (err) {
    await stopAll();
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof ConfigError || (code !== undefined && LISTEN_ERRORS.has(code))) {
      process.stderr.write(`video-exporter: cannot start: ${(err as Error).message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  } finally {
    process.off('SIGTERM', onEarlySignal);
    process.off('SIGINT', onEarlySignal);
  }
  if (earlySignal === undefined) return 'running';
  logger.info(`received ${earlySignal} while starting`);
  await stopAll();
  return 0;
}

/**
 * Reloads on SIGHUP and when the file changes (debounced). Watches the directory, not the file: editors
 * and config tools replace the file (write a sibling, rename it over), after which a watch on the file's
 * old inode never fires again; Kubernetes updates a mounted ConfigMap by swapping the `..data` symlink.
 */
function watchConfig(configPath: string, exporter: Exporter, logger: Logger): { close(): void } {
  let reloadTimer: NodeJS.Timeout | undefined;
  const reload = async (why: string) => {
    logger.info(`reloading config (${why})`);
    try {
      exporter.applyConfig(await loadConfigFile(configPath));
    } catch (err) {
      exporter.reloadFailed((err as Error).message);
    }
  };
  const scheduleReload = (why: string) => {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => void reload(why), RELOAD_DEBOUNCE_MS);
  };
  process.on('SIGHUP', () => scheduleReload('SIGHUP'));
  let watcher: FSWatcher | undefined;
  try {
    const base = basename(configPath);
    watcher = watch(dirname(configPath), (_event, name) => {
      if (name === null || name === base || name === '..data') scheduleReload('file changed');
    });
    watcher.on('error', (err) => logger.warn(`config file watch failed: ${err.message}`));
  } catch (err) {
    logger.warn(`cannot watch the config file: ${(err as Error).message}`);
  }
  return {
    close() {
      watcher?.close();
      clearTimeout(reloadTimer);
    },
  };
}

/** Resolves with 0 once SIGTERM or SIGINT has stopped everything (or exits 1 when that hangs). */
function waitForShutdown(logger: Logger, stop: () => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`received ${signal}`);
      const force = setTimeout(() => {
        logger.error('shutdown took too long, exiting');
        process.exit(1);
      }, FORCE_EXIT_MS);
      force.unref();
      void stop().then(() => resolve(0));
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
