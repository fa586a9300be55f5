import { readFile } from 'node:fs/promises';
import type { Env } from './env.js';
import { ConfigError } from './errors.js';
import { parseYaml } from './parse-yaml.js';
import type { Config } from './types.js';
import { validateConfig } from './validate.js';

export interface LoadOptions {
  /** variables for `${VAR}` expansion; default process.env */
  env?: Env;
  /** where the text came from (file name), kept on ConfigError.source */
  source?: string;
}

/** Defaults, then the file, then validation (SPEC §3). Throws ConfigError listing every problem. */
export function parseConfigText(text: string, options: LoadOptions = {}): Config {
  const doc = parseYaml(text, options.source);
  return validateConfig(doc, options.env ?? process.env, options.source);
}

/** Reads and parses a config file; an unreadable file is a ConfigError too (exit 2, no stack trace). */
export async function loadConfigFile(path: string, options: Omit<LoadOptions, 'source'> = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (err as Error).message;
    throw new ConfigError([`cannot read config file ${path}: ${reason}`], path);
  }
  return parseConfigText(text, { ...options, source: path });
}
