import { describe, expect, it } from 'vitest';
import { renderStatusPage } from '../../src/http/status-page.js';
import type { ExporterStatus, ShardStatus } from '../../src/state/types.js';

const NOW = 1_750_000_000;

function status(shard?: ShardStatus): ExporterStatus {
  return {
    status: 'ready',
    version: '0.1.0',
    uptime_s: 60,
    streams: { configured: 1236, owned: 412, up: 400, down: 10, pending: 2 },
    pool: { threads: 2, queue: 0, in_flight: 0, utilization: 0, max_concurrent: 1000 },
    memory: { rss_bytes: 1, heap_used_bytes: 1 },
    cpu: { user_s: 0, system_s: 0 },
    config: { path: null, last_reload_ok: true, last_reload_at: NOW },
    ...(shard ? { shard } : {}),
  };
}

const shardLine = (html: string) => /<p class="shard">.*<\/p>/.exec(html)?.[0];

describe('status page: the shard line', () => {
  it('shows this pod, the peer count and its share', () => {
    const html = renderStatusPage(
      status({
        mode: 'dns',
        self: '10.244.1.7',
        peers: ['10.244.1.7', '10.244.2.9', '10.244.3.4'],
        owned: 412,
        changes: 3,
        lookups: 118,
        lookup_failing: false,
      }),
      [],
      NOW,
    );
    expect(shardLine(html)).toBe(
      '<p class="shard">shard dns · this pod <span title="10.244.1.7 10.244.2.9 10.244.3.4">10.244.1.7</span> of 3' +
        ' peers · owns 412 of 1236 streams</p>',
    );
  });

  it('says when peer look-ups fail, escaping the error text', () => {
    const html = renderStatusPage(
      status({
        mode: 'dns',
        self: '10.0.0.1',
        peers: ['10.0.0.1'],
        owned: 1236,
        changes: 0,
        lookups: 4,
        lookup_failing: true,
        last_error: 'A <peers>: ETIMEOUT',
      }),
      [],
      NOW,
    );
    expect(shardLine(html)).toContain('of 1 peer · owns 1236 of 1236 streams');
    expect(shardLine(html)).toContain(
      'peer lookup failing</span> A &lt;peers&gt;: ETIMEOUT (keeping the last peer set)',
    );
  });

  it('says sharding is off in mode none, and shows nothing without a shard view', () => {
    expect(
      shardLine(
        renderStatusPage(
          status({ mode: 'none', self: null, peers: [], owned: 1236, changes: 0, lookups: 0, lookup_failing: false }),
          [],
          NOW,
        ),
      ),
    ).toBe('<p class="shard">sharding off: this process probes all 1236 streams</p>');
    expect(shardLine(renderStatusPage(status(), [], NOW))).toBeUndefined();
  });
});
