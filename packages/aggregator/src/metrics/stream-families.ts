import type { Metric, Registry } from 'prom-client';
import type { StreamIdentity, StreamSnapshot } from '../state/types.js';
import { infoLabels, STREAM_GAUGES } from './stream-series.js';

type Labels = Readonly<Record<string, string>>;

interface Row {
  identity: StreamIdentity;
  /** one frozen object per stream: prom-client escapes and joins `sharedLabels` once per object (WeakMap) */
  labels: Labels;
  /** `labels` as exposition text, `{project="…",…}`, escaped once per stream */
  labelText: string;
  /** STREAM_GAUGES order; undefined = not measured, no series */
  values: Array<number | undefined>;
  info: Labels | undefined;
  /** the info series' labels (the stream's, then its own) as exposition text, once per change */
  infoText: string;
}

/** prom-client's label value escaping (lib/registry.js escapeLabelValue), so both renderings are equal */
const escapeLabelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** prom-client's HELP escaping (lib/registry.js escapeString) */
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** `{k="v",…}` in the labels' own order, or nothing without labels (as prom-client writes them) */
function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

/** A custom metric that can write its own exposition text (ExpositionRegistry uses it). */
export interface TextRendered {
  prometheusText(): string;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * The per-stream gauge families (SPEC §6) as custom prom-client metrics over one row per stream.
 * prom-client's Gauge re-escapes every label of every series on each scrape (about 180 ms for 1000
 * streams × 44 series); rows hand the stream's labels over as `sharedLabels`, which the Registry
 * formats once per object and reuses, so a scrape costs a fraction of that. Each family also writes its own
 * text (`prometheusText`, used by ExpositionRegistry): a line per row from the row's label text, escaped once
 * per stream, and the value, with no object per series: the scrape then costs a few ms, not ~100 ms, at
 * 1000 streams. A test holds both renderings equal; the JSON form stays prom-client's own.
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
        (row) => row.infoText,
      ),
    );
  }

  /** Sets what the snapshot measured; what it did not measure has no series. */
  publish(s: StreamSnapshot): void {
    let row = this.rows.get(s.stream.key);
    if (row === undefined || row.identity !== s.stream) {
      const labels = Object.freeze(this.labelsOf(s.stream));
      row = { identity: s.stream, labels, labelText: labelText(labels), values: [], info: undefined, infoText: '' };
      this.rows.set(s.stream.key, row);
    }
    row.values = STREAM_GAUGES.map(([, , value]) => {
      const v = value(s);
      return v !== undefined && Number.isFinite(v) ? v : undefined;
    });
    const info = infoLabels(s);
    row.info = info ? Object.freeze(info) : undefined;
    row.infoText = info ? labelText({ ...row.labels, ...info }) : '';
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
    text: (row: Row) => string = (row) => row.labelText,
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
      prometheusText: () => {
        const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} gauge`];
        for (const row of rows.values()) {
          const v = value(row);
          if (v !== undefined) lines.push(`${name}${text(row)} ${v}`);
        }
        return lines.join('\n');
      },
      reset: () => {},
    };
    // prom-client types registerMetric() for its own classes; the Registry only uses the members above
    return metric as unknown as Metric;
  }
}
