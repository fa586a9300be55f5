import type { Metric, Registry } from 'prom-client';
import type { StreamIdentity, StreamSnapshot } from '../state/types.js';
import { infoLabels, STREAM_GAUGES } from './stream-series.js';

type Labels = Readonly<Record<string, string>>;

interface Row {
  identity: StreamIdentity;
  /** one frozen object per stream: prom-client escapes and joins `sharedLabels` once per object (WeakMap) */
  labels: Labels;
  /** STREAM_GAUGES order; undefined = not measured, no series */
  values: Array<number | undefined>;
  info: Labels | undefined;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * The per-stream gauge families (SPEC §6) as custom prom-client metrics over one row per stream.
 * prom-client's Gauge re-escapes every label of every series on each scrape (about 180 ms for 1000
 * streams × 44 series); rows hand the stream's labels over as `sharedLabels`, which the Registry
 * formats once per object and reuses, so a scrape costs a fraction of that. The Registry still renders
 * the text, so HELP/TYPE lines, escaping and the JSON form are prom-client's own.
 */
export class StreamFamilies {
  private readonly rows = new Map<string, Row>();

  constructor(
    registry: Registry,
    private readonly labelsOf: (s: StreamIdentity) => Record<string, string>,
  ) {
    STREAM_GAUGES.forEach(([name, help], i) => {
      registry.registerMetric(this.family(name, help, (row) => row.values[i]));
    });
    registry.registerMetric(
      this.family(
        'video_stream_info',
        'Codecs and encoder of the last probe (value 1)',
        (row) => (row.info ? 1 : undefined),
        (row) => row.info ?? NO_LABELS,
      ),
    );
  }

  /** Sets what the snapshot measured; what it did not measure has no series. */
  publish(s: StreamSnapshot): void {
    let row = this.rows.get(s.stream.key);
    if (row === undefined || row.identity !== s.stream) {
      row = { identity: s.stream, labels: Object.freeze(this.labelsOf(s.stream)), values: [], info: undefined };
      this.rows.set(s.stream.key, row);
    }
    row.values = STREAM_GAUGES.map(([, , value]) => {
      const v = value(s);
      return v !== undefined && Number.isFinite(v) ? v : undefined;
    });
    const info = infoLabels(s);
    row.info = info ? Object.freeze(info) : undefined;
  }

  /** Drops every series of the stream. */
  remove(s: StreamIdentity): void {
    this.rows.delete(s.key);
  }

  private family(
    name: string,
    help: string,
    value: (row: Row) => number | undefined,
    own: (row: Row) => Labels = () => NO_LABELS,
  ): Metric {
    const rows = this.rows;
    const collect = (shared: boolean) => {
      const values: Array<{ value: number; labels: Labels; sharedLabels?: Labels }> = [];
      for (const row of rows.values()) {
        const v = value(row);
        if (v === undefined) continue;
        const extra = own(row);
        // prom-client writes `labels` before `sharedLabels`: series with labels of their own (info) keep the
        // stream's labels first by merging them, a rare case (one series per stream)
        values.push(
          shared && extra === NO_LABELS
            ? { value: v, labels: NO_LABELS, sharedLabels: row.labels }
            : { value: v, labels: { ...row.labels, ...extra } },
        );
      }
      return { name, help, type: 'gauge', aggregator: 'sum', values };
    };
    const metric = {
      name,
      help,
      type: 'gauge',
      aggregator: 'sum',
      get: async () => collect(false),
      // read by Registry#metrics() in preference to get(): the shared-label fast path
      getForPromString: async () => collect(true),
      reset: () => {},
    };
    // prom-client types registerMetric() for its own classes; the Registry only uses the members above
    return metric as unknown as Metric;
  }
}
