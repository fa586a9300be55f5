import { type ApiStream, apiStreams } from '../../exporter/support/http.js';

/** /api/streams entries with the fields the fault tests read beyond tests/exporter's ApiStream. */
export interface ApiStreamFull extends ApiStream {
  playable: boolean;
  consecutive_failures: number;
}

export async function apiStreamsFull(base: string): Promise<ApiStreamFull[]> {
  return (await apiStreams(base)) as ApiStreamFull[];
}
