/**
 * GET /wall: the NOC view (SPEC §13). A grid of every stream's latest thumbnail with its state in large
 * type, refreshing itself; readable across a room. No script, no external assets; every dynamic value
 * is escaped (ids come from config and discovery).
 */
import type { StreamSnapshot } from '../state/types.js';
import { escapeHtml, REFRESH_SECONDS } from './status-page.js';
import { selectStreams } from './stream-list.js';
import { thumbnailUrl } from './thumbnail-url.js';

const PERCENT = 100;

/** The word a NOC operator reads first: what is wrong, or "ok". */
function verdict(s: StreamSnapshot): { cls: string; text: string } {
  if (s.state === 'pending') return { cls: 'pending', text: 'pending' };
  if (s.state === 'down') return { cls: 'down', text: s.last_error?.reason ?? 'down' };
  const c = s.content?.result === 'ok' ? s.content : undefined;
  if (c?.black_ratio !== undefined && c.black_ratio >= 0.5)
    return { cls: 'warn', text: `black ${Math.round(c.black_ratio * PERCENT)}%` };
  if (c?.frozen_ratio !== undefined && c.frozen_ratio >= 0.5)
    return { cls: 'warn', text: `frozen ${Math.round(c.frozen_ratio * PERCENT)}%` };
  if (c?.silence_ratio !== undefined && c.silence_ratio >= 0.5)
    return { cls: 'warn', text: `silent ${Math.round(c.silence_ratio * PERCENT)}%` };
  return s.healthy ? { cls: 'ok', text: 'ok' } : { cls: 'warn', text: 'unhealthy' };
}

function tile(s: StreamSnapshot, checked: boolean): string {
  const v = verdict(s);
  const url = thumbnailUrl(s);
  const name = `${s.stream.project} / ${s.stream.line} / ${s.stream.id}`;
  const picture = url
    ? `<img src="${escapeHtml(url)}" alt="${escapeHtml(name)}">`
    : `<div class="none">${checked ? 'no picture yet' : 'no content checks'}</div>`;
  const caption = `<figcaption><b>${escapeHtml(v.text)}</b><span>${escapeHtml(name)}</span></figcaption>`;
  return `<figure class="tile ${v.cls}" data-key="${escapeHtml(s.stream.key)}">${picture}${caption}</figure>`;
}

export function renderWallPage(
  snapshots: readonly StreamSnapshot[],
  nowS: number,
  /** false: no check will ever bring this stream a picture (checks off, or the stream opted out) */
  contentChecked: (key: string) => boolean = () => true,
): string {
  const tiles = selectStreams(snapshots, {})
    .map((s) => tile(s, contentChecked(s.stream.key)))
    .join('\n');
  const stamp = escapeHtml(new Date(nowS * 1000).toISOString());
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>video-exporter wall</title>
<style>
body{margin:0;background:#111;color:#eee;font:16px system-ui,sans-serif}
header{padding:8px 16px;color:#aaa}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px;padding:12px}
.tile{margin:0;background:#222;border:6px solid #555;border-radius:6px;overflow:hidden}
.tile img,.tile .none{display:block;width:100%;aspect-ratio:16/9;object-fit:contain;background:#000}
.tile .none{display:flex;align-items:center;justify-content:center;color:#777}
figcaption{padding:6px 10px;display:flex;gap:10px;align-items:baseline}
figcaption b{font-size:28px;text-transform:uppercase}
figcaption span{color:#bbb;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.ok{border-color:#2e7d32}.ok b{color:#66bb6a}.warn{border-color:#f9a825}.warn b{color:#ffca28}
.down{border-color:#c62828}.down b{color:#ef5350}.pending b{color:#999}
</style></head><body>
<header>${escapeHtml(snapshots.length)} streams · refreshes every ${REFRESH_SECONDS} s · ${stamp}</header>
<main>
${tiles}
</main></body></html>
`;
}
