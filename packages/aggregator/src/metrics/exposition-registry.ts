import { type Metric, Registry } from 'prom-client';
import type { TextRendered } from './stream-families.js';

const rendersItself = (m: unknown): m is TextRendered =>
  typeof (m as Partial<TextRendered>).prometheusText === 'function';

/**
 * prom-client's Registry, except that a metric that writes its own exposition text (the per-stream
 * families: thousands of series each) is taken as written, in the Prometheus text format without default
 * labels (what the exporter serves). Relies on Registry#getMetricsAsString, which Registry#metrics() calls
 * per metric in prom-client 15.1.3 (pinned exactly in package.json); a test compares both renderings.
 */
export class ExpositionRegistry extends Registry {
  async getMetricsAsString(metric: Metric): Promise<string> {
    const plain = this.contentType === Registry.PROMETHEUS_CONTENT_TYPE;
    if (plain && rendersItself(metric)) return metric.prometheusText();
    return (
      Registry.prototype as unknown as { getMetricsAsString(m: Metric): Promise<string> }
    ).getMetricsAsString.call(this, metric);
  }
}
