import yaml from 'js-yaml';
import { ConfigError } from './errors.js';

/**
 * YAML text -> plain data. Syntax errors become a ConfigError naming the 1-based line and column
 * (js-yaml's marks are 0-based). Duplicate keys are syntax errors here (js-yaml's default, json: false):
 * with a duplicated `url:` the last one would silently win.
 *
 * DEFAULT_SCHEMA keeps merge keys (`<<: *common_headers`), useful with hundreds of streams; its
 * timestamps (`id: 2024-01-01`) load as dates, which the validators reject with "quote it".
 */
export function parseYaml(text: string, source?: string): unknown {
  try {
    return yaml.load(text, { schema: yaml.DEFAULT_SCHEMA, ...(source !== undefined ? { filename: source } : {}) });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const where =
        err.mark === undefined || err.mark === null
          ? ''
          : ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
      throw new ConfigError([`YAML syntax error${where}: ${err.reason}`], source);
    }
    throw err;
  }
}
