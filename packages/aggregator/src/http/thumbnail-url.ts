import type { StreamSnapshot } from '../state/types.js';

/**
 * The relative thumbnail URL of a stream (SPEC §13), or undefined while it has none. The check time in
 * the query makes a browser fetch each new picture instead of its cached one.
 */
export function thumbnailUrl(s: StreamSnapshot): string | undefined {
  if (!s.content?.has_thumbnail) return undefined;
  const { project, line, id } = s.stream;
  const path = [project, line, id].map(encodeURIComponent).join('/');
  return `api/streams/${path}/thumbnail.jpg?t=${s.content.at}`;
}
