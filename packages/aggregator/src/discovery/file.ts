/**
 * `file` sources: http_sd lists in JSON or YAML files matched by a glob (wildcards `*` and `?` in the file
 * name part, like Prometheus file_sd's common use), re-read every refresh and as soon as one changes.
 */
import { watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import yaml from 'js-yaml';
import type { DiscoverySourceConfig } from '../config/types.js';
import { DiscoveryError } from './fetch-json.js';
import { parseHttpSd } from './http-sd.js';
import type { DiscoverySource, TargetEntry } from './types.js';

const CHANGE_DEBOUNCE_MS = 200;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

export class FileSource implements DiscoverySource {
  private readonly dir: string;
  private readonly pattern: RegExp;

  constructor(c: Pick<DiscoverySourceConfig, 'path'>) {
    this.dir = dirname(c.path!);
    this.pattern = globRegExp(basename(c.path!));
  }

  async refresh(): Promise<TargetEntry[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => this.pattern.test(n)).sort();
    } catch (err) {
      throw new DiscoveryError(
        `${this.dir}: cannot list the directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    const out: TargetEntry[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        // deleted between the listing and the read: it is simply gone
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new DiscoveryError(
          `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
      if (text.length > MAX_FILE_BYTES)
        throw new DiscoveryError(`${file}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
      let doc: unknown;
      try {
        doc = yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: file });
      } catch (err) {
        const e = err as InstanceType<typeof yaml.YAMLException>;
        const at = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
        throw new DiscoveryError(`${file}: syntax error${at}: ${e.reason ?? e.message}`);
      }
      // an empty file (being written) is an empty list, not an error
      if (doc === undefined || doc === null) continue;
      out.push(...parseHttpSd(doc, file));
    }
    return out;
  }

  watch(changed: () => void, onError: (message: string) => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    try {
      const w = watch(this.dir, (_event, name) => {
        if (name !== null && !this.pattern.test(name) && name !== '..data') return;
        clearTimeout(timer);
        timer = setTimeout(changed, CHANGE_DEBOUNCE_MS);
      });
      w.on('error', (err) => onError(`${this.dir}: watch failed (${err.message}); re-reading every refresh only`));
      return () => {
        clearTimeout(timer);
        w.close();
      };
    } catch (err) {
      onError(
        `${this.dir}: cannot watch (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
          're-reading every refresh only',
      );
      return () => {};
    }
  }
}
