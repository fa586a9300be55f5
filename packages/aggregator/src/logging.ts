import { redactText } from '@video-exporter/probe-worker/common';
import winston from 'winston';

export type Logger = winston.Logger;

/** Scrubs credentials from every message and string field a log line carries (SPEC §7). */
const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    const v = info[key];
    if (typeof v === 'string') info[key] = redactText(v);
  }
  if (typeof info.message === 'string') info.message = redactText(info.message);
  return info;
});

/**
 * JSON lines when stdout is not a TTY or LOG_FORMAT=json; readable lines otherwise.
 * Everything goes to stdout except errors, which go to stderr.
 */
export function createLogger(level: string, options: { json?: boolean; silent?: boolean } = {}): Logger {
  const json =
    options.json ?? (process.env.LOG_FORMAT === 'json' || (process.env.LOG_FORMAT !== 'text' && !process.stdout.isTTY));
  const format = json
    ? winston.format.combine(redact(), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        redact(),
        winston.format.timestamp({ format: 'HH:mm:ss' }),
        winston.format.colorize(),
        winston.format.printf(({ timestamp, level: l, message, ...rest }) => {
          const extra = Object.entries(rest)
            .filter(([k]) => typeof k === 'string')
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${l} ${String(message)}${extra ? ` ${extra}` : ''}`;
        }),
      );
  return winston.createLogger({
    level,
    format,
    silent: options.silent ?? false,
    transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
  });
}
