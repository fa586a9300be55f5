import { lookupPeers, type PeerResolver } from './dns-lookup.js';
import { type PeerSource, type PeerSourceHealth, peerSet, type ShardLogger, samePeerSet } from './peer-source.js';
import { normalizeIp } from './pod-identity.js';
import { NO_SEARCH, type SearchConfig, searchNames } from './resolv-conf.js';

/** retry period while no look-up has worked yet (the pod owns every stream meanwhile) */
const FIRST_LOOKUP_RETRY_MS = 1_000;

export interface DnsPeerSourceOptions {
  /** the headless Service name, as configured (the search list applies) */
  service: string;
  /** this pod's IP, normalised (normalizeIp) */
  self: string;
  /** which records name the peers: the family of `self` (dual-stack pods are listed once per family) */
  family: 4 | 6;
  /** between the end of one look-up and the start of the next */
  intervalMs: number;
  resolver: PeerResolver;
  search?: SearchConfig;
  logger: ShardLogger;
}

/**
 * Mode dns: the peers are the addresses of the headless Service, looked up every interval. The pod
 * counts itself in before DNS lists it; a failed look-up keeps the last known set (one warning per
 * failure streak, one info line when it recovers).
 */
export class DnsPeerSource implements PeerSource {
  readonly mode = 'dns' as const;
  private peers: string[];
  private onChange: ((peers: string[]) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private lookups = 0;
  /** no look-up has worked yet: the pod owns every stream, so retry fast instead of every interval */
  private everResolved = false;
  private failing = false;
  private lastError: string | undefined;
  private readonly candidates: string[];

  constructor(private readonly o: DnsPeerSourceOptions) {
    this.peers = [o.self];
    this.candidates = searchNames(o.service, o.search ?? NO_SEARCH);
  }

  get self(): string {
    return this.o.self;
  }

  /** the current peer set, sorted, self included */
  current(): readonly string[] {
    return this.peers;
  }

  async start(onChange: (peers: string[]) => void): Promise<string[]> {
    await this.refresh();
    // the first set is the caller's starting point, not a change
    this.onChange = onChange;
    this.arm();
    return [...this.peers];
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.o.resolver.cancel?.();
  }

  health(): PeerSourceHealth {
    return {
      lookups: this.lookups,
      failing: this.failing,
      ...(this.failing && this.lastError !== undefined ? { last_error: this.lastError } : {}),
    };
  }

  /** One look-up now (the timer calls it too); concurrent calls share the look-up in flight. */
  refresh(): Promise<void> {
    this.inFlight ??= this.lookup().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        void this.refresh().finally(() => this.arm());
      },
      this.everResolved ? this.o.intervalMs : Math.min(this.o.intervalMs, FIRST_LOOKUP_RETRY_MS),
    );
    this.timer.unref();
  }

  private async lookup(): Promise<void> {
    const r = await lookupPeers(this.o.resolver, this.candidates, this.o.family);
    if (this.stopped) return;
    this.lookups++;
    if (!r.ok) {
      this.lastError = r.error;
      if (!this.failing) {
        this.failing = true;
        this.o.logger.warn('shard peer lookup failed, keeping the last known peer set', {
          service: this.o.service,
          error: r.error,
          peers: this.peers,
        });
      }
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.o.logger.info('shard peer lookup works again', { service: this.o.service, name: r.name });
    }
    this.lastError = undefined;
    this.everResolved = true;
    const found = r.addresses.map(normalizeIp).filter((a): a is string => a !== undefined);
    const next = peerSet([...found, this.o.self]);
    if (samePeerSet(next, this.peers)) return;
    this.peers = next;
    try {
      this.onChange?.([...next]);
    } catch (err) {
      // the timer's promise chain has no handler: a throw here would be an unhandled rejection
      this.o.logger.warn('applying a new shard peer set failed', { error: (err as Error).message });
    }
  }
}
