#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { UsageError } from './commands/usage.js';
import { VERSION } from './version.js';

const HELP = `video-exporter ${VERSION}: a Prometheus exporter for live HTTP-FLV streams

Usage:
  video-exporter run [-c config.yml] [--listen [host:]port] [--web.config.file web.yml]
                                              run the exporter (no config: the embedded demo);
                                              web.yml: TLS and basic auth, Prometheus
                                              exporter-toolkit format (see README, Security)
  video-exporter probe <url|file.flv> [--duration s] [--json] [--content [--thumbnail out.jpg]]
                                              probe one stream or file and print its health
  video-exporter check-config <file>          validate a config file and print a summary
  video-exporter discover -c config.yml [--json]
                                              ask the discovery sources once and print the streams
                                              that would be probed (exit 1 when a source failed)
  video-exporter --version | --help

Exit codes: 0 ok, 1 probe failed, 2 usage or config error.`;

/** Environment variables every command reads; the sharding ones are checked when `run` starts. */
const LOG_FORMATS = ['json', 'text'];

function checkEnvironment(env: NodeJS.ProcessEnv): void {
  const format = env.LOG_FORMAT;
  if (format !== undefined && format !== '' && !LOG_FORMATS.includes(format)) {
    throw new UsageError(
      `LOG_FORMAT must be "json" or "text" (or unset: json when stdout is not a terminal), got` +
        ` ${JSON.stringify(format)}`,
    );
  }
}

/**
 * Each command's modules load when it runs: `run` keeps only what a long-running exporter needs on its main
 * thread (the parser and the transports live in the worker threads; issue 17, every module is memory kept).
 */
async function main(argv: string[]): Promise<number> {
  checkEnvironment(process.env);
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'probe': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          json: { type: 'boolean', default: false },
          duration: { type: 'string' },
          'min-keyframes': { type: 'string' },
          content: { type: 'boolean', default: false },
          thumbnail: { type: 'string' },
        },
      });
      if (positionals.length !== 1) throw new UsageError('probe needs exactly one <url|file.flv>');
      if (values.thumbnail !== undefined && !values.content) throw new UsageError('--thumbnail needs --content');
      const durationS = values.duration === undefined ? undefined : positiveNumber('--duration', values.duration);
      const minKeyframes =
        values['min-keyframes'] === undefined ? 2 : positiveNumber('--min-keyframes', values['min-keyframes']);
      const content = {
        content: values.content ?? false,
        ...(values.thumbnail !== undefined ? { thumbnail: values.thumbnail } : {}),
      };
      const common = { target: positionals[0]!, json: values.json ?? false, minKeyframes, ...content };
      const { probeCommand } = await import('./commands/probe.js');
      return probeCommand({ ...common, ...(durationS !== undefined ? { durationS } : {}) }, process.stdout);
    }
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: false,
        options: {
          config: { type: 'string', short: 'c' },
          listen: { type: 'string' },
          'web.config.file': { type: 'string' },
        },
      });
      void positionals;
      const webConfigPath = values['web.config.file'];
      if (webConfigPath === '') throw new UsageError('--web.config.file needs a file name');
      const { runCommand } = await import('./commands/run.js');
      const code = await runCommand({
        ...(values.config ? { configPath: values.config } : {}),
        ...(values.listen ? { listen: values.listen } : {}),
        ...(webConfigPath !== undefined ? { webConfigPath } : {}),
      });
      // Exit now: a straggling handle must not keep a stopped exporter alive.
      process.exit(code);
      break;
    }
    case 'check-config': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError('check-config needs exactly one <file>');
      const { checkConfigCommand } = await import('./commands/check-config.js');
      return checkConfigCommand(positionals[0]!, process.stdout, process.stderr);
    }
    case 'discover': {
      const options = { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } } as const;
      const { values } = parseArgs({ args: rest, allowPositionals: false, options });
      if (!values.config) throw new UsageError('discover needs -c config.yml');
      const { discoverCommand } = await import('./commands/discover.js');
      return discoverCommand({ configPath: values.config, json: values.json ?? false }, process.stdout, process.stderr);
    }
    default:
      throw new UsageError(`unknown command "${command}" (see --help)`);
  }
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // parseArgs throws TypeErrors with a code for unknown or malformed options: usage errors too.
    const isUsage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // one line: parseArgs explains some mistakes over several
    const message = isUsage ? (err as Error).message.replace(/\s*\n\s*/g, ' ') : (err as Error).message;
    process.stderr.write(`video-exporter: ${message}\n`);
    if (!isUsage) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    process.exitCode = isUsage ? 2 : 1;
  },
);
