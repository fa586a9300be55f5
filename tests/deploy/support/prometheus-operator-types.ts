/**
 * The Prometheus Operator's PodMonitor and PrometheusRule (monitoring.coreos.com/v1), as far as a
 * manifest of this project can use them, transcribed from the operator's API reference
 * (https://prometheus-operator.dev/docs/api-reference/api/). @kubernetes-models/prometheus-operator is
 * not a dependency; k8s-fields.ts checks manifests against these interfaces to catch unknown fields.
 * Status fields are left out: a manifest never sets them.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: { [key: string]: string };
  matchExpressions?: LabelSelectorRequirement[];
}

export interface RelabelConfig {
  sourceLabels?: string[];
  separator?: string;
  targetLabel?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}

export interface SecretKeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface PodMetricsEndpoint {
  port?: string;
  portNumber?: number;
  targetPort?: number | string;
  path?: string;
  scheme?: 'http' | 'https';
  params?: { [key: string]: string[] };
  interval?: string;
  scrapeTimeout?: string;
  honorLabels?: boolean;
  honorTimestamps?: boolean;
  trackTimestampsStaleness?: boolean;
  metricRelabelings?: RelabelConfig[];
  relabelings?: RelabelConfig[];
  filterRunning?: boolean;
  followRedirects?: boolean;
  enableHttp2?: boolean;
  proxyUrl?: string;
  bearerTokenSecret?: SecretKeySelector;
  authorization?: { type?: string; credentials?: SecretKeySelector };
  basicAuth?: { username?: SecretKeySelector; password?: SecretKeySelector };
}

export interface NamespaceSelector {
  any?: boolean;
  matchNames?: string[];
}

export interface PodMonitorSpec {
  selector: LabelSelector;
  podMetricsEndpoints?: PodMetricsEndpoint[];
  namespaceSelector?: NamespaceSelector;
  jobLabel?: string;
  podTargetLabels?: string[];
  sampleLimit?: number;
  targetLimit?: number;
  labelLimit?: number;
  labelNameLengthLimit?: number;
  labelValueLengthLimit?: number;
  keepDroppedTargets?: number;
  attachMetadata?: { node?: boolean };
  scrapeProtocols?: string[];
  scrapeClass?: string;
}

export interface PodMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PodMonitor';
  metadata?: ObjectMeta;
  spec: PodMonitorSpec;
}

export interface Rule {
  alert?: string;
  record?: string;
  expr: string | number;
  for?: string;
  keep_firing_for?: string;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  query_offset?: string;
  limit?: number;
  partial_response_strategy?: string;
  labels?: { [key: string]: string };
  rules?: Rule[];
}

export interface PrometheusRule {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata?: ObjectMeta;
  spec: { groups?: RuleGroup[] };
}
