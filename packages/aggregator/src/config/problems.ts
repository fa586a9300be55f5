/**
 * Collecting problems with their config path (`streams.G01.CDN[1].url`) and the small readers every
 * section uses. Readers add a problem and return undefined instead of throwing, so one pass reports
 * everything wrong with a file.
 */

import { redactText } from '@video-exporter/probe-worker/common';

export class Problems {
  readonly list: string[] = [];

  /** `path: text`, or just `text` at the root. */
  add(path: string, text: string): void {
    this.list.push(path === '' ? text : `${path}: ${text}`);
  }
}

/** Keys that need no quoting in a path; others (dots, spaces, brackets) print as `["a.b"]`. */
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

export function childPath(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * A value as shown in a message: short, typed, never the whole of a big structure. Strings are
 * redacted (a URL pasted where a mapping belongs may carry user:pass@ or a token).
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') {
    const shown = redactText(value);
    return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate within 2 edits (ignoring case), if exactly one is closest. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

export type KeyHandler = (value: unknown, path: string) => void;

/**
 * Visits a mapping's keys in document order (js-yaml keeps it), calling the handler of each known key;
 * an unknown key is a problem. Returns the keys seen, for required-key checks.
 */
export function walkMapping(
  mapping: Mapping,
  path: string,
  problems: Problems,
  handlers: Record<string, KeyHandler>,
): Set<string> {
  const known = Object.keys(handlers);
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(mapping)) {
    const keyPath = childPath(path, key);
    const handler = Object.hasOwn(handlers, key) ? handlers[key] : undefined;
    if (handler === undefined) {
      const guess = closest(key, known);
      problems.add(
        keyPath,
        guess !== undefined
          ? `unknown key (did you mean "${guess}"?)`
          : `unknown key (expected one of: ${known.join(', ')})`,
      );
      continue;
    }
    seen.add(key);
    handler(value, keyPath);
  }
  return seen;
}

export function readString(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'string') return value;
  const hint = typeof value === 'number' || typeof value === 'boolean' || value instanceof Date ? ' (quote it)' : '';
  problems.add(path, `must be a string, got ${describe(value)}${hint}`);
  return undefined;
}

export function readNonEmptyString(value: unknown, path: string, problems: Problems): string | undefined {
  const s = readString(value, path, problems);
  if (s !== undefined && s.trim() === '') {
    problems.add(path, 'must not be empty');
    return undefined;
  }
  return s;
}

export function readBoolean(value: unknown, path: string, problems: Problems): boolean | undefined {
  if (typeof value === 'boolean') return value;
  problems.add(path, `must be true or false, got ${describe(value)}`);
  return undefined;
}

/** Seconds and ratios: YAML numbers only, no "30s" strings (the reference's format has none). */
export function readPositiveNumber(value: unknown, path: string, problems: Problems, unit = ''): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  problems.add(path, `must be a positive number${unit}, got ${describe(value)}`);
  return undefined;
}

export function readNonNegativeNumber(value: unknown, path: string, problems: Problems): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  problems.add(path, `must be a number >= 0, got ${describe(value)}`);
  return undefined;
}

export function readPositiveInteger(value: unknown, path: string, problems: Problems, unit = ''): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  problems.add(path, `must be a positive integer${unit}, got ${describe(value)}`);
  return undefined;
}

export function readNonNegativeInteger(value: unknown, path: string, problems: Problems): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  problems.add(path, `must be an integer >= 0, got ${describe(value)}`);
  return undefined;
}

export function readEnum<T extends string>(
  value: unknown,
  path: string,
  problems: Problems,
  allowed: readonly T[],
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
  problems.add(
    path,
    `must be one of ${allowed.join(', ')}, got` +
      ` ${describe(value)}${guess !== undefined ? ` (did you mean "${guess}"?)` : ''}`,
  );
  return undefined;
}

export function readMapping(value: unknown, path: string, problems: Problems): Mapping | undefined {
  if (isMapping(value)) return value;
  problems.add(path, `must be a mapping, got ${describe(value)}`);
  return undefined;
}

export function readStringList(value: unknown, path: string, problems: Problems): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, `must be a list of strings, got ${describe(value)}`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  value.forEach((item: unknown, i) => {
    const s = readNonEmptyString(item, indexPath(path, i), problems);
    if (s === undefined) ok = false;
    else out.push(s);
  });
  return ok ? out : undefined;
}
