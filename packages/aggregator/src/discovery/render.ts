/**
 * Found entries -> streams to probe (SPEC §11): `match` filters, templates, label defaults, the tag
 * allow-list, `max_streams`. Pure: one Renderer per source config, one render() per refresh. A bad entry
 * (an odd name, a URL that does not parse) is skipped and counted, never fatal for the others.
 */
import type { DiscoverySourceConfig, MediaField, StreamConfig } from '../config/types.js';
import { urlProblem } from '../config/validate-discovery.js';
import { encodeSegment, parseTemplate, renderTemplate, type TemplateValues } from './template.js';
import type { FoundEntry, MediaEntry, TargetEntry } from './types.js';

export type SkipReason = 'invalid' | 'duplicate' | 'capped';
export const SKIP_REASONS: readonly SkipReason[] = ['invalid', 'duplicate', 'capped'];
/** examples of skipped entries kept for the log line */
const MAX_EXAMPLES = 3;
/** longest label value a discovered name may render to */
export const MAX_LABEL_CHARS = 256;
const DEL = 0x7f;
const FIRST_PRINTABLE = 0x20;
/** C0 controls and DEL: a line break or NUL in a label or URL is never a real stream name */
function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < FIRST_PRINTABLE || c === DEL) return true;
  }
  return false;
}
/** http_sd labels that name the stream instead of being tags */
const IDENTITY_LABELS = new Set(['project', 'line', 'id']);

export interface RenderResult {
  streams: StreamConfig[];
  skipped: Record<SkipReason, number>;
  /** a few of the invalid entries, explained (redacted later by the logger) */
  examples: string[];
  /** found entries `match` filtered out (not an error) */
  unmatched: number;
  /** tag keys outside the allow-list seen in http_sd labels */
  droppedTags: Set<string>;
}

type Parts = Parameters<typeof renderTemplate>[0];

const compile = (text: string): Parts => {
  const t = parseTemplate(text);
  // validated at load; a literal fallback keeps a bad template from throwing here
  return t.ok ? t.parts : [text];
};

export class Renderer {
  private readonly playUrl: Parts | undefined;
  private readonly project: Parts;
  private readonly line: Parts;
  private readonly id: Parts;
  private readonly match: [MediaField, RegExp][];

  constructor(
    readonly config: DiscoverySourceConfig,
    private readonly allowedTags: readonly string[],
  ) {
    this.playUrl = config.play_url === undefined ? undefined : compile(config.play_url);
    this.project = compile(config.project);
    this.line = compile(config.line);
    this.id = compile(config.id);
    this.match = Object.entries(config.match).map(([f, re]) => [f as MediaField, new RegExp(re, 'u')]);
  }

  render(entries: readonly FoundEntry[]): RenderResult {
    const r: RenderResult = {
      streams: [],
      skipped: { invalid: 0, duplicate: 0, capped: 0 },
      examples: [],
      unmatched: 0,
      droppedTags: new Set(),
    };
    const keys = new Set<string>();
    for (const e of entries) {
      const made = e.kind === 'media' ? this.media(e, r) : this.target(e, r);
      if (made === undefined) continue;
      if (typeof made === 'string') {
        r.skipped.invalid++;
        if (r.examples.length < MAX_EXAMPLES) r.examples.push(made);
        continue;
      }
      if (keys.has(made.key)) {
        r.skipped.duplicate++;
        continue;
      }
      if (r.streams.length >= this.config.max_streams) {
        r.skipped.capped++;
        continue;
      }
      keys.add(made.key);
      r.streams.push(made);
    }
    return r;
  }

  /** a stream, undefined when `match` filters it out, or why it is invalid */
  private media(e: MediaEntry, r: RenderResult): StreamConfig | string | undefined {
    const values: TemplateValues = { vhost: e.vhost, app: e.app, stream: e.stream };
    if (!this.match.every(([field, re]) => re.test(values[field]))) {
      r.unmatched++;
      return undefined;
    }
    const what = `stream ${JSON.stringify(`${e.app}/${e.stream}`)}`;
    for (const v of [e.vhost, e.app, e.stream]) {
      if (v === '' || hasControl(v) || v.length > MAX_LABEL_CHARS)
        return `${what}: empty, too long or control characters in vhost/app/stream`;
    }
    const url = renderTemplate(this.playUrl ?? [], values, encodeSegment);
    const bad = urlProblem(url);
    if (bad !== undefined) return `${what}: play_url renders ${JSON.stringify(url)}: ${bad}`;
    return this.stream(
      what,
      url,
      renderTemplate(this.project, values),
      renderTemplate(this.line, values),
      renderTemplate(this.id, values),
      { ...this.config.tags },
    );
  }

  private target(e: TargetEntry, r: RenderResult): StreamConfig | string {
    const what = `target ${JSON.stringify(e.url.length > 120 ? `${e.url.slice(0, 117)}...` : e.url)}`;
    const bad = urlProblem(e.url);
    if (bad !== undefined) return `${what}: ${bad}`;
    const tags: Record<string, string> = { ...this.config.tags };
    for (const [k, v] of Object.entries(e.labels)) {
      if (k.startsWith('__') || IDENTITY_LABELS.has(k)) continue;
      if (this.allowedTags.includes(k)) tags[k] = v;
      else r.droppedTags.add(k);
    }
    const id = e.labels.id ?? defaultId(e.url);
    return this.stream(
      what,
      e.url,
      e.labels.project ?? this.config.project,
      e.labels.line ?? this.config.line,
      id,
      tags,
    );
  }

  private stream(
    what: string,
    url: string,
    project: string,
    lineRaw: string,
    id: string,
    tags: Record<string, string>,
  ): StreamConfig | string {
    const line = lineRaw.toLowerCase();
    for (const [name, v] of [
      ['project', project],
      ['line', line],
      ['id', id],
    ] as const) {
      if (v.trim() === '' || hasControl(v) || v.length > MAX_LABEL_CHARS)
        return `${what}: ${name} ${JSON.stringify(v)} is empty, too long or has control characters`;
      if (name !== 'id' && v.includes('/')) return `${what}: ${name} ${JSON.stringify(v)} contains "/"`;
    }
    return {
      key: `${project}/${line}/${id}`,
      project,
      line,
      id,
      url,
      tags,
      headers: {},
      insecure_tls: false,
      source: this.config.name,
    };
  }
}

/** http_sd's default id: the URL's path without its extension (`http://edge/live/a.flv` -> `live/a`). */
export function defaultId(url: string): string {
  const path = decodeSafe(new URL(url).pathname).replace(/^\/+/, '');
  return path.replace(/\.[^./]*$/, '');
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
