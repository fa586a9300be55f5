/**
 * GET /: a small server-rendered status page. No build step, no external assets, no script: inline CSS
 * and a meta refresh. Stream ids, tags, URLs and error messages come from the config file and from
 * remote servers, so every dynamic value goes through escapeHtml, in text and in attributes alike.
 */
import type { DiscoverySourceStatus, ExporterStatus, ShardStatus, StreamSnapshot } from '../state/types.js';
import { humanDuration, qualityWord, relativeTime, shortNumber, stabilityWord } from './human-words.js';
import { selectStreams } from './stream-list.js';
import { thumbnailUrl } from './thumbnail-url.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text content and double- or single-quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export const REFRESH_SECONDS = 10;

/** shown for a value that was not measured */
const NONE = '—';

/** up+healthy green, up but not healthy amber, down red, pending grey */
function badge(s: StreamSnapshot): { cls: string; text: string } {
  if (s.state === 'up') return s.healthy ? { cls: 'ok', text: 'up' } : { cls: 'warn', text: 'up, unhealthy' };
  if (s.state === 'down') return { cls: 'down', text: 'down' };
  return { cls: 'pending', text: 'pending' };
}

const ms = (v: number | undefined): string => (v === undefined ? NONE : `${Math.round(v)} ms`);

function row(s: StreamSnapshot, nowS: number): string {
  const { stream, last } = s;
  const b = badge(s);
  // before the first probe the scores are placeholders, not verdicts
  const probed = last !== undefined;
  const v = last?.video;
  const tags = Object.entries(stream.tags)
    .map(([k, val]) => `<span class="tag">${escapeHtml(k)}=${escapeHtml(val)}</span>`)
    .join(' ');
  const stalls = last?.stalls === undefined ? NONE : `${last.stalls.count} (${Math.round(last.stalls.total_ms)} ms)`;
  const error =
    s.last_error === undefined
      ? ''
      : `<span class="reason">${escapeHtml(s.last_error.reason)}</span> ${escapeHtml(s.last_error.message)}` +
        (s.state === 'down' ? '' : ` <span class="muted">(${escapeHtml(relativeTime(s.last_error.at, nowS))})</span>`);
  const cells = [
    escapeHtml(stream.project),
    escapeHtml(stream.line),
    `<span title="${escapeHtml(stream.url)}">${escapeHtml(stream.id)}</span>`,
    tags,
    `<span class="badge ${b.cls}">${escapeHtml(b.text)}</span>`,
    probed ? escapeHtml(qualityWord(s.quality)) : NONE,
    probed ? escapeHtml(stabilityWord(s.stability)) : NONE,
    probed ? escapeHtml(qualityWord(s.overall)) : NONE,
    last?.bitrate_bps === undefined ? NONE : escapeHtml(Math.round(last.bitrate_bps / 1000)),
    v?.framerate === undefined ? NONE : escapeHtml(shortNumber(v.framerate)),
    v?.width === undefined || v.height === undefined ? NONE : escapeHtml(`${v.width}x${v.height}`),
    v?.codec === undefined ? NONE : escapeHtml(v.codec),
    escapeHtml(ms(last?.ttfb_ms)),
    escapeHtml(stalls),
    escapeHtml(ms(last?.player?.startup_ms)),
    s.last_check === undefined ? 'never' : escapeHtml(relativeTime(s.last_check, nowS)),
    error,
    picture(s),
  ];
  return (
    `<tr data-key="${escapeHtml(stream.key)}" data-state="${escapeHtml(s.state)}">` +
    cells.map((c) => `<td>${c}</td>`).join('') +
    '</tr>'
  );
}

const HEADINGS = [
  'Project',
  'Line',
  'ID',
  'Tags',
  'State',
  'Quality',
  'Stability',
  'Overall',
  'Bitrate (kbps)',
  'FPS',
  'Resolution',
  'Codec',
  'TTFB',
  'Stalls',
  'Start-up',
  'Last check',
  'Last error',
  'Picture',
];

/** SPEC §13: the latest content-check thumbnail, small (the wall shows them large). */
function picture(s: StreamSnapshot): string {
  const url = thumbnailUrl(s);
  return url === undefined ? NONE : `<img class="thumb" src="${escapeHtml(url)}" alt="" loading="lazy">`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1rem 1.5rem;color:#1f2328}
img.thumb{width:96px;display:block}
h1{font-size:1.3rem;margin:0 0 .3rem}
header p{margin:.2rem 0;color:#57606a}
header a{margin-right:.8rem}
table{border-collapse:collapse;margin-top:1rem;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
td:nth-child(n+9):nth-child(-n+15){font-variant-numeric:tabular-nums;white-space:nowrap}
td:last-child{max-width:28rem;overflow-wrap:anywhere}
.badge{display:inline-block;padding:0 .5rem;border-radius:.7rem;color:#fff;white-space:nowrap}
.ok{background:#1a7f37}.warn{background:#9a6700}.down{background:#cf222e}.pending{background:#6e7781}
.tag{background:#eaeef2;border-radius:.3rem;padding:0 .3rem;margin-right:.2rem;white-space:nowrap}
.reason{font-weight:600}.muted{color:#57606a}
`;

/** One line: which pod this is among how many, and its share of the streams. */
function shardLine(s: ShardStatus, configured: number): string {
  if (s.mode === 'none')
    return `<p class="shard">sharding off: this process probes all ${escapeHtml(configured)} streams</p>`;
  const failing = s.lookup_failing
    ? ` · <span class="reason">peer lookup failing</span>${s.last_error ? ` ${escapeHtml(s.last_error)}` : ''}` +
      ` (keeping the last peer set)`
    : '';
  return (
    `<p class="shard">shard ${escapeHtml(s.mode)} · this pod ` +
    `<span title="${escapeHtml(s.peers.join(' '))}">${escapeHtml(s.self ?? '?')}</span>` +
    ` of ${escapeHtml(s.peers.length)} peer${s.peers.length === 1 ? '' : 's'} · owns ${escapeHtml(s.owned)} of` +
    ` ${escapeHtml(configured)} streams${failing}</p>`
  );
}

/** One line per discovery source: its health, how many streams it brought, when it last answered. */
function discoveryLine(d: DiscoverySourceStatus, nowS: number): string {
  const state = d.up ? '<span class="badge ok">up</span>' : '<span class="badge down">down</span>';
  const last =
    d.last_success === undefined ? 'never answered' : `last answer ${escapeHtml(relativeTime(d.last_success, nowS))}`;
  const error =
    d.last_error === undefined || d.up
      ? ''
      : ` · <span class="reason">${escapeHtml(d.last_error)}</span> (keeping the last list)`;
  const clashes = d.conflicts > 0 ? ` · ${escapeHtml(d.conflicts)} clashes` : '';
  return (
    `<p class="discovery" data-source="${escapeHtml(d.name)}">` +
    `discovery ${escapeHtml(d.name)} (${escapeHtml(d.type)}) ${state}` +
    ` · ${escapeHtml(d.streams)} streams · ${last}${clashes}${error}</p>`
  );
}

/** The whole page. `nowS` (unix seconds) makes the relative times deterministic for tests. */
const LINKS =
  '<p><a href="metrics">/metrics</a><a href="status">/status</a><a href="api/streams">/api/streams</a>' +
  '<a href="wall">/wall</a></p>';

export function renderStatusPage(status: ExporterStatus, snapshots: readonly StreamSnapshot[], nowS: number): string {
  const c = status.streams;
  const rows = selectStreams(snapshots).map((s) => row(s, nowS));
  const sourceLines = (status.discovery ?? []).map((d) => `${discoveryLine(d, nowS)}\n`).join('');
  const uptime = escapeHtml(humanDuration(status.uptime_s));
  const counts =
    `${escapeHtml(c.configured)} configured · ${escapeHtml(c.up)} up · ${escapeHtml(c.down)} down · ` +
    `${escapeHtml(c.pending)} pending`;
  const body =
    rows.length > 0 ? rows.join('\n') : `<tr><td colspan="${HEADINGS.length}">No streams configured.</td></tr>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>video-exporter</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>video-exporter</h1>
<p>version ${escapeHtml(status.version)} · ${escapeHtml(status.status)} · uptime ${uptime}</p>
<p class="counts">${counts}</p>
${status.shard ? `${shardLine(status.shard, c.configured)}\n` : ''}${sourceLines}${LINKS}
</header>
<table>
<thead><tr>${HEADINGS.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
