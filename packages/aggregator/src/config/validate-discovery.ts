import {
  isRtmpUrl,
  PROBE_URL_SCHEMES,
  PROBE_URL_SCHEMES_TEXT,
  redactUrl,
  rtmpUrlProblem,
} from '@video-exporter/probe-worker/common';
import { encodeSegment, parseTemplate, renderTemplate, TEMPLATE_FIELDS } from '../discovery/template.js';
import { type Env, expandEnv } from './env.js';
import {
  describe,
  indexPath,
  isMapping,
  type Problems,
  readBoolean,
  readEnum,
  readMapping,
  readNonEmptyString,
  readNonNegativeNumber,
  readPositiveInteger,
  readPositiveNumber,
  walkMapping,
} from './problems.js';
import type { DiscoverySourceConfig, DiscoveryType, MediaField } from './types.js';
import { type DroppedTags, readHeaders, readTags, readUrl } from './validate-streams.js';

export const DISCOVERY_TYPES: readonly DiscoveryType[] = ['srs', 'nms', 'http_sd', 'file'];
export const DISCOVERY_DEFAULTS = {
  refresh_interval_s: 30,
  line: 'discovered',
  id: '{app}/{stream}',
  max_streams: 10_000,
  gone_grace_s: 0,
} as const;
const NAME = /^[a-z0-9_-]+$/;
/** `source` value of streams from `streams:`; a discovery source may not take it */
export const CONFIG_SOURCE = 'config';
/** what a URL template is rendered with to check it makes a valid URL at load time */
const SAMPLE = { vhost: 'default', app: 'live', stream: 'room01' } as const;

/** keys each type accepts beyond name/type/refresh_interval/tags/headers/max_streams/gone_grace/line/project */
const TYPE_KEYS: Record<DiscoveryType, readonly string[]> = {
  srs: ['url', 'play_url', 'id', 'match'],
  nms: ['url', 'play_url', 'id', 'match', 'username', 'password', 'events'],
  http_sd: ['url'],
  file: ['path'],
};
const REQUIRED: Record<DiscoveryType, readonly string[]> = {
  srs: ['url', 'play_url'],
  nms: ['url', 'play_url'],
  http_sd: ['url'],
  file: ['path'],
};

interface Ctx {
  env: Env;
  problems: Problems;
  allowedTags: readonly string[];
  dropped: DroppedTags;
}

/** The `discovery` section: a list of sources (SPEC §11). */
export function validateDiscovery(
  raw: unknown,
  allowedTags: readonly string[],
  env: Env,
  problems: Problems,
  warnings: string[],
): DiscoverySourceConfig[] {
  const path = 'discovery';
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add(path, `must be a list of sources (- name: ... type: ...), got ${describe(raw)}`);
    return [];
  }
  const ctx: Ctx = { env, problems, allowedTags, dropped: { keys: new Map() } };
  const out: DiscoverySourceConfig[] = [];
  const firstAt = new Map<string, string>();
  raw.forEach((entry: unknown, i) => {
    const s = readSource(entry, indexPath(path, i), ctx, firstAt);
    if (s !== undefined) out.push(s);
  });
  if (ctx.dropped.keys.size > 0) {
    const allowed = allowedTags.length === 0 ? 'none' : allowedTags.join(', ');
    warnings.push(
      `discovery: dropped tag keys not in exporter.allowed_tags: ${[...ctx.dropped.keys.keys()].join(', ')}; ` +
        `allowed: ${allowed}`,
    );
  }
  return out;
}

function readSource(
  entry: unknown,
  path: string,
  ctx: Ctx,
  firstAt: Map<string, string>,
): DiscoverySourceConfig | undefined {
  const { problems } = ctx;
  if (!isMapping(entry)) {
    problems.add(path, `must be a mapping with name and type, got ${describe(entry)}`);
    return undefined;
  }
  const before = problems.list.length;
  // the type decides which keys are valid: read it first
  const type = Object.hasOwn(entry, 'type')
    ? readEnum(entry.type, `${path}.type`, problems, DISCOVERY_TYPES)
    : undefined;
  const v: Partial<DiscoverySourceConfig> & {
    tags: Record<string, string>;
    match: DiscoverySourceConfig['match'];
    headers: Record<string, string>;
  } = {
    tags: {},
    match: {},
    headers: {},
  };
  const onlyFor = (key: string, p: string): boolean => {
    if (type === undefined || TYPE_KEYS[type].includes(key)) return true;
    const list = DISCOVERY_TYPES.filter((t) => TYPE_KEYS[t].includes(key));
    const types = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)!}` : list.join('');
    problems.add(p, `only for ${types} sources (this one is ${type})`);
    return false;
  };
  const seen = walkMapping(entry, path, problems, {
    name: (x, p) => {
      const name = readNonEmptyString(x, p, problems);
      if (name === undefined) return;
      if (!NAME.test(name))
        return problems.add(p, `must match [a-z0-9_-]+ (it is the "source" label), got ${describe(name)}`);
      if (name === CONFIG_SOURCE)
        return problems.add(p, `"${CONFIG_SOURCE}" is reserved for streams listed under streams:`);
      const first = firstAt.get(name);
      if (first !== undefined) return problems.add(p, `duplicate source name "${name}" (first defined at ${first})`);
      firstAt.set(name, path);
      v.name = name;
    },
    type: () => {},
    url: (x, p) => {
      if (!onlyFor('url', p)) return;
      const url = readUrl(x, p, ctx);
      if (url !== undefined) v.url = type === 'http_sd' ? url : url.replace(/\/+$/, '');
    },
    path: (x, p) => {
      if (onlyFor('path', p)) v.path = readNonEmptyString(x, p, problems);
    },
    refresh_interval: (x, p) => {
      v.refresh_interval_s = readPositiveNumber(x, p, problems, ' of seconds');
    },
    play_url: (x, p) => {
      if (onlyFor('play_url', p)) v.play_url = readUrlTemplate(x, p, ctx);
    },
    project: (x, p) => {
      v.project = readLabelTemplate(x, p, ctx, type, false);
    },
    line: (x, p) => {
      v.line = readLabelTemplate(x, p, ctx, type, false);
    },
    id: (x, p) => {
      if (onlyFor('id', p)) v.id = readLabelTemplate(x, p, ctx, type, true);
    },
    tags: (x, p) => {
      v.tags = readTags(x, p, ctx) ?? {};
    },
    match: (x, p) => {
      if (onlyFor('match', p)) v.match = readMatch(x, p, problems) ?? {};
    },
    headers: (x, p) => {
      v.headers = readHeaders(x, p, ctx) ?? {};
    },
    username: (x, p) => {
      if (onlyFor('username', p)) v.username = readNonEmptyString(x, p, problems);
    },
    password: (x, p) => {
      if (!onlyFor('password', p)) return;
      const text = readNonEmptyString(x, p, problems);
      if (text === undefined) return;
      const expanded = expandEnv(text, ctx.env);
      if (expanded.ok) v.password = expanded.value;
      else for (const error of expanded.errors) problems.add(p, error);
    },
    events: (x, p) => {
      if (onlyFor('events', p)) v.events = readBoolean(x, p, problems);
    },
    max_streams: (x, p) => {
      v.max_streams = readPositiveInteger(x, p, problems);
    },
    gone_grace: (x, p) => {
      v.gone_grace_s = readNonNegativeNumber(x, p, problems);
    },
  });
  for (const key of ['name', 'type', ...(type ? REQUIRED[type] : [])]) {
    if (!seen.has(key)) problems.add(path, `missing required key "${key}"`);
  }
  if (type === 'nms' && seen.has('username') !== seen.has('password'))
    problems.add(path, 'username and password go together (NMS login)');
  if (problems.list.length > before || type === undefined || v.name === undefined) return undefined;
  return {
    name: v.name,
    type,
    ...(v.url !== undefined ? { url: v.url } : {}),
    ...(v.path !== undefined ? { path: v.path } : {}),
    refresh_interval_s: v.refresh_interval_s ?? DISCOVERY_DEFAULTS.refresh_interval_s,
    ...(v.play_url !== undefined ? { play_url: v.play_url } : {}),
    project: v.project ?? v.name,
    line: v.line ?? DISCOVERY_DEFAULTS.line,
    id: v.id ?? DISCOVERY_DEFAULTS.id,
    tags: v.tags,
    match: v.match,
    headers: v.headers,
    ...(v.username !== undefined ? { username: v.username } : {}),
    ...(v.password !== undefined ? { password: v.password } : {}),
    max_streams: v.max_streams ?? DISCOVERY_DEFAULTS.max_streams,
    gone_grace_s: v.gone_grace_s ?? DISCOVERY_DEFAULTS.gone_grace_s,
    events: v.events ?? true,
  };
}

/** A play URL template: `${VAR}` expanded, placeholders known, and a sample rendering must be a valid http(s) URL. */
function readUrlTemplate(value: unknown, path: string, ctx: Ctx): string | undefined {
  const text = readNonEmptyString(value, path, ctx.problems);
  if (text === undefined) return undefined;
  const expanded = expandEnv(text, ctx.env);
  if (!expanded.ok) {
    for (const error of expanded.errors) ctx.problems.add(path, error);
    return undefined;
  }
  const parsed = parseTemplate(expanded.value);
  if (!parsed.ok) {
    ctx.problems.add(path, parsed.error);
    return undefined;
  }
  if (!parsed.fields.has('stream')) {
    ctx.problems.add(path, 'must contain {stream} (otherwise every found stream plays the same URL)');
    return undefined;
  }
  const problem = urlProblem(renderTemplate(parsed.parts, SAMPLE, encodeSegment));
  if (problem !== undefined) {
    // the file's own text in the message: the expanded value may carry a secret from the environment
    ctx.problems.add(
      path,
      `${problem} once rendered (e.g. for app "live", stream "room01"): ${JSON.stringify(redactUrl(text))}`,
    );
    return undefined;
  }
  return expanded.value;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** Why a rendered URL cannot be probed, or undefined when it can. */
export function urlProblem(url: string): string | undefined {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return 'not a valid URL (expected http://host/path or https://...)';
  if (!PROBE_URL_SCHEMES.includes(scheme)) {
    return `unsupported scheme "${scheme}" (only ${PROBE_URL_SCHEMES_TEXT})`;
  }
  try {
    new URL(url);
  } catch {
    return 'not a valid URL';
  }
  // SPEC §14: a discovered stream may play over RTMP (an origin's rtmp://host/app/{stream})
  const rtmp = isRtmpUrl(url) ? rtmpUrlProblem(url) : undefined;
  return rtmp === undefined ? undefined : `not a valid RTMP URL (${rtmp})`;
}

/** project/line/id: templates for srs/nms, literals for http_sd/file (whose labels come from the list). */
function readLabelTemplate(
  value: unknown,
  path: string,
  ctx: Ctx,
  type: DiscoveryType | undefined,
  isId: boolean,
): string | undefined {
  const text = readNonEmptyString(value, path, ctx.problems);
  if (text === undefined) return undefined;
  const media = type === 'srs' || type === 'nms';
  const parsed = parseTemplate(text);
  if (!parsed.ok) {
    ctx.problems.add(path, parsed.error);
    return undefined;
  }
  if (!media && parsed.fields.size > 0) {
    ctx.problems.add(path, `placeholders only work in srs and nms sources; ${type} sources take labels from the list`);
    return undefined;
  }
  if (!isId && text.includes('/')) {
    ctx.problems.add(path, 'must not contain "/" (it separates project/line/id)');
    return undefined;
  }
  return text;
}

function readMatch(value: unknown, path: string, problems: Problems): DiscoverySourceConfig['match'] | undefined {
  const m = readMapping(value, path, problems);
  if (m === undefined) return undefined;
  const out: DiscoverySourceConfig['match'] = {};
  const handlers = Object.fromEntries(
    TEMPLATE_FIELDS.map((field) => [
      field,
      (x: unknown, p: string) => {
        const source = readNonEmptyString(x, p, problems);
        if (source === undefined) return;
        try {
          new RegExp(source, 'u');
          out[field as MediaField] = source;
        } catch (err) {
          problems.add(
            p,
            `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
          );
        }
      },
    ]),
  );
  walkMapping(m, path, problems, handlers);
  return out;
}
