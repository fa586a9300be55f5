#!/usr/bin/env node
// Writes deploy/k8s/prometheusrule.yaml from alerts.yml and sla.yml (the one source of the rules), keeping
// the comments: node deploy/prometheus/sync-prometheusrule.mjs
// tests/deploy checks that the PrometheusRule holds the groups of both files, in this order.
import { readFileSync, writeFileSync } from 'node:fs';

const RULE_FILES = ['alerts.yml', 'sla.yml'];

/** The `groups:` list of a rules file, indented under `spec:`, without the top-level key. */
function groupsOf(file) {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const start = text.search(/^groups:\n/m);
  if (start < 0) throw new Error(`${file}: no top-level "groups:"`);
  return text
    .slice(start + 'groups:\n'.length)
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n')
    .replace(/\n+$/, '\n');
}

const sources = RULE_FILES.map((f) => `deploy/prometheus/${f}`).join(' and ');
const header = `# Generated from ${sources} by deploy/prometheus/sync-prometheusrule.mjs:
# edit those files (where promtool tests the rules), then run the script.
# kube-prometheus-stack only picks PrometheusRules labelled with its release (e.g. release:
# kube-prometheus-stack) unless ruleSelectorNilUsesHelmValues is false.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: video-exporter
  labels:
    app.kubernetes.io/name: video-exporter
    app.kubernetes.io/component: exporter
spec:
  groups:
`;
const body = RULE_FILES.map((f) => `  # ---- ${f}\n${groupsOf(f)}`).join('\n');
writeFileSync(new URL('../k8s/prometheusrule.yaml', import.meta.url), header + body);
