import {
  isRtmpUrl,
  PROBE_URL_SCHEMES,
  PROBE_URL_SCHEMES_TEXT,
  redactUrl,
  rtmpUrlProblem,
} from '@video-exporter/probe-worker/common';
import { type Env, expandEnv } from './env.js';
import {
  childPath,
  describe,
  indexPath,
  isMapping,
  type Problems,
  readBoolean,
  readNonEmptyString,
  walkMapping,
} from './problems.js';
import type { StreamConfig } from './types.js';

/** HTTP field-name token (RFC 9110 §5.1). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

export interface DroppedTags {
  /** tag key -> number of streams it was dropped from */
  keys: Map<string, number>;
}

/**
 * The `streams` section: project -> line -> list of { url, id, tags, headers, insecure_tls }.
 * Labels: project as written, line lower-cased (the reference's `line="source"`), id as written;
 * (project, line, id) must be unique since it is the series' identity.
 */
export function validateStreams(
  raw: unknown,
  allowedTags: readonly string[],
  env: Env,
  problems: Problems,
  warnings: string[],
): StreamConfig[] {
  const path = 'streams';
  const out: StreamConfig[] = [];
  if (!isMapping(raw)) {
    problems.add(path, `must be a mapping of project -> line -> list of streams, got ${describe(raw)}`);
    return out;
  }
  const before = problems.list.length;
  const firstAt = new Map<string, string>();
  const dropped: DroppedTags = { keys: new Map() };
  let entries = 0;
  for (const [project, lines] of Object.entries(raw)) {
    const projectPath = childPath(path, project);
    const projectOk = checkLabelKey(project, projectPath, 'project', problems);
    if (!isMapping(lines)) {
      problems.add(projectPath, `must be a mapping of line -> list of streams, got ${describe(lines)}`);
      continue;
    }
    for (const [lineKey, list] of Object.entries(lines)) {
      const linePath = childPath(projectPath, lineKey);
      const lineOk = checkLabelKey(lineKey, linePath, 'line', problems);
      if (!Array.isArray(list)) {
        problems.add(linePath, `must be a list of streams (- url: ... id: ...), got ${describe(list)}`);
        continue;
      }
      list.forEach((entry: unknown, i) => {
        entries++;
        const stream = readStream(
          entry,
          indexPath(linePath, i),
          { project, line: lineKey.toLowerCase(), labelsOk: projectOk && lineOk },
          {
            allowedTags,
            env,
            problems,
            firstAt,
            dropped,
          },
        );
        if (stream !== undefined) out.push(stream);
      });
    }
  }
  // after a structural problem (a line that is not a list, ...) "no streams" would only repeat it
  if (entries === 0 && problems.list.length === before)
    problems.add(path, 'no streams configured: list at least one under project -> line');
  if (dropped.keys.size > 0) {
    const list = [...dropped.keys].map(([key, n]) => `${key} (${n} stream${n === 1 ? '' : 's'})`).join(', ');
    const allowed = allowedTags.length === 0 ? 'none' : allowedTags.join(', ');
    warnings.push(`dropped tag keys not in exporter.allowed_tags: ${list}; allowed: ${allowed}`);
  }
  return out;
}

/** project and line become label values and parts of the `project/line/id` key. */
function checkLabelKey(key: string, path: string, what: string, problems: Problems): boolean {
  if (key.trim() === '') {
    problems.add(path, `${what} name must not be empty`);
    return false;
  }
  if (key.includes('/')) {
    problems.add(path, `${what} name must not contain "/"`);
    return false;
  }
  return true;
}

interface Context {
  allowedTags: readonly string[];
  env: Env;
  problems: Problems;
  /** stream key -> path of its first definition */
  firstAt: Map<string, string>;
  dropped: DroppedTags;
}

function readStream(
  entry: unknown,
  path: string,
  labels: { project: string; line: string; labelsOk: boolean },
  ctx: Context,
): StreamConfig | undefined {
  const { problems } = ctx;
  if (!isMapping(entry)) {
    problems.add(path, `must be a mapping with url and id, got ${describe(entry)}`);
    return undefined;
  }
  const before = problems.list.length;
  let url: string | undefined;
  let id: string | undefined;
  let rawTags: Record<string, unknown> = {};
  let tagsPath = childPath(path, 'tags');
  /** the Go exporter's simple form `tag: source` (see LEGACY_TAG_KEY) */
  let legacyTag: string | undefined;
  let headers: Record<string, string> = {};
  let insecureTls = false;
  let contentChecks = true;
  const seen = walkMapping(entry, path, problems, {
    url: (v, p) => {
      url = readUrl(v, p, ctx);
    },
    id: (v, p) => {
      id = readNonEmptyString(v, p, problems);
      if (id === undefined) return;
      if (id.includes('/')) {
        problems.add(p, 'must not contain "/"');
        id = undefined;
        return;
      }
      if (!labels.labelsOk) return;
      const key = `${labels.project}/${labels.line}/${id}`;
      const first = ctx.firstAt.get(key);
      if (first !== undefined) problems.add(p, duplicateMessage(key, first));
      else ctx.firstAt.set(key, path);
    },
    tags: (v, p) => {
      tagsPath = p;
      if (isMapping(v)) rawTags = v;
      else readTags(v, p, ctx); // reports the problem
    },

    headers: (v, p) => {
      headers = readHeaders(v, p, ctx) ?? {};
    },
    insecure_tls: (v, p) => {
      insecureTls = readBoolean(v, p, problems) ?? false;
    },
    [LEGACY_TAG_KEY]: (v, p) => {
      if (isMapping(v))
        problems.add(p, 'must be one string (the Go exporter\'s single tag); a mapping of tags goes under "tags"');
      else legacyTag = readNonEmptyString(v, p, problems);
    },
    content_checks: (v, p) => {
      if (v === false) contentChecks = false;
      else problems.add(p, `may only be false (opting this stream out of content checks), got ${describe(v)}`);
    },
  });
  for (const required of ['url', 'id']) {
    if (!seen.has(required)) problems.add(path, `missing required key "${required}"`);
  }
  // as the Go exporter merges it: `tag` joins the tags unless they already have a "tag" key, then the
  // allow-list applies to it like to any tag (the default list drops it, with the usual warning)
  if (legacyTag !== undefined && !Object.hasOwn(rawTags, LEGACY_TAG_KEY))
    rawTags = { ...rawTags, [LEGACY_TAG_KEY]: legacyTag };
  const tags = readTags(rawTags, tagsPath, ctx) ?? {};
  if (problems.list.length > before || url === undefined || id === undefined) return undefined;
  return {
    key: `${labels.project}/${labels.line}/${id}`,
    project: labels.project,
    line: labels.line,
    id,
    url,
    tags,
    headers,
    insecure_tls: insecureTls,
    ...(contentChecks ? {} : { content_checks: false as const }),
  };
}

/**
 * Messages show the URL as written in the file (with `${VAR}` unexpanded) and redacted: the expanded
 * value may carry a secret from the environment in any position, not only in user:pass@ or ?token=.
 */
export function readUrl(value: unknown, path: string, ctx: Pick<Context, 'env' | 'problems'>): string | undefined {
  const template = readNonEmptyString(value, path, ctx.problems);
  if (template === undefined) return undefined;
  const expanded = expandEnv(template, ctx.env);
  if (!expanded.ok) {
    for (const error of expanded.errors) ctx.problems.add(path, error);
    return undefined;
  }
  const shown = JSON.stringify(redactUrl(template));
  const scheme = SCHEME.exec(expanded.value)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    ctx.problems.add(path, `not a valid URL (expected http://host/path or https://...): ${shown}`);
    return undefined;
  }
  if (!PROBE_URL_SCHEMES.includes(scheme)) {
    ctx.problems.add(path, `unsupported scheme "${scheme}" (only ${PROBE_URL_SCHEMES_TEXT}): ${shown}`);
    return undefined;
  }
  try {
    new URL(expanded.value);
  } catch {
    ctx.problems.add(path, `not a valid URL: ${shown}`);
    return undefined;
  }
  const rtmpProblem = isRtmpUrl(expanded.value) ? rtmpUrlProblem(expanded.value) : undefined;
  if (rtmpProblem !== undefined) {
    ctx.problems.add(path, `not a valid RTMP URL (${rtmpProblem}; expected rtmp://host[:port]/app/stream): ${shown}`);
    return undefined;
  }
  return expanded.value;
}

/** The Go exporter's per-stream `tag: <value>` beside `tags:`; it becomes the tag named "tag". */
const LEGACY_TAG_KEY = 'tag';

/**
 * Two streams with one project/line/id would write one series: the Go exporter let the last probe win,
 * which hid one of them. Refused here, with the fix.
 */
function duplicateMessage(key: string, first: string): string {
  return (
    `duplicate stream ${key} (first defined at ${first}): give each stream its own id. ` +
    'The Go exporter accepted this and wrote both streams into one series, which showed whichever was probed last'
  );
}

export function readTags(
  value: unknown,
  path: string,
  ctx: Pick<Context, 'allowedTags' | 'problems' | 'dropped'>,
): Record<string, string> | undefined {
  if (!isMapping(value)) {
    ctx.problems.add(path, `must be a mapping of tag -> string value, got ${describe(value)}`);
    return undefined;
  }
  const kept: [string, string][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      const scalar = typeof v === 'number' || typeof v === 'boolean';
      ctx.problems.add(
        childPath(path, key),
        `must be a string, got ${describe(v)}${scalar ? ` (quote it: "${String(v)}")` : ''}`,
      );
      continue;
    }
    if (ctx.allowedTags.includes(key)) kept.push([key, v]);
    else ctx.dropped.keys.set(key, (ctx.dropped.keys.get(key) ?? 0) + 1);
  }
  // fromEntries defines own properties: a "__proto__" tag cannot reach the prototype
  return Object.fromEntries(kept);
}

/** Header values are never shown: they are where auth tokens live. */
export function readHeaders(
  value: unknown,
  path: string,
  ctx: Pick<Context, 'env' | 'problems'>,
): Record<string, string> | undefined {
  if (!isMapping(value)) {
    ctx.problems.add(path, `must be a mapping of header name -> string value, got ${describe(value)}`);
    return undefined;
  }
  const out: [string, string][] = [];
  const names = new Map<string, string>();
  for (const [name, v] of Object.entries(value)) {
    const p = childPath(path, name);
    if (!HEADER_NAME.test(name)) {
      ctx.problems.add(p, 'not a valid HTTP header name');
      continue;
    }
    const lower = name.toLowerCase();
    const other = names.get(lower);
    if (other !== undefined) {
      ctx.problems.add(p, `duplicate header (header names ignore case; also given as "${other}")`);
      continue;
    }
    names.set(lower, name);
    if (typeof v !== 'string') {
      const scalar = typeof v === 'number' || typeof v === 'boolean';
      ctx.problems.add(p, `must be a string, got ${typeofValue(v)}${scalar ? ' (quote it)' : ''}`);
      continue;
    }
    const expanded = expandEnv(v, ctx.env);
    if (!expanded.ok) {
      for (const error of expanded.errors) ctx.problems.add(p, error);
      continue;
    }
    if (/[\r\n\0]/.test(expanded.value)) {
      ctx.problems.add(p, 'must not contain line breaks or NUL');
      continue;
    }
    out.push([name, expanded.value]);
  }
  return Object.fromEntries(out);
}

/** The kind of a value without the value itself. */
function typeofValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}
