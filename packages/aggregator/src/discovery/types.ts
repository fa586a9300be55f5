/** What a discovery source hands back from one refresh (SPEC §11), before templates and merging. */

/** A stream a media server (SRS, NMS) says is being published. */
export interface MediaEntry {
  kind: 'media';
  vhost: string;
  app: string;
  stream: string;
}

/** A target of an http_sd list: the URL to probe and its labels as given. */
export interface TargetEntry {
  kind: 'target';
  url: string;
  labels: Readonly<Record<string, string>>;
}

export type FoundEntry = MediaEntry | TargetEntry;

/** One source of streams. refresh() asks it once; it throws a DiscoveryError on any failure. */
export interface DiscoverySource {
  refresh(signal: AbortSignal): Promise<FoundEntry[]>;
  /**
   * Optional push: calls `changed` when the source knows its list changed (NMS events, a file edited),
   * so the manager refreshes now instead of at the next interval. Returns a stop function.
   */
  watch?(changed: () => void, onError: (message: string) => void): () => void;
}
