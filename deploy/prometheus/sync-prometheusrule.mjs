#!/usr/bin/env node
// Writes deploy/k8s/prometheusrule.yaml from alerts.yml (the one source of the rules), keeping the
// comments: node deploy/prometheus/sync-prometheusrule.mjs
// tests/deploy checks that the two files hold the same groups.
import { readFileSync, writeFileSync } from 'node:fs';

const alerts = readFileSync(new URL('alerts.yml', import.meta.url), 'utf8');
const start = alerts.search(/^groups:/m);
if (start < 0) throw new Error('alerts.yml: no top-level "groups:"');
const groups = alerts
  .slice(start)
  .split('\n')
  .map((line) => (line === '' ? line : `  ${line}`))
  .join('\n');
const header = `# Generated from deploy/prometheus/alerts.yml by deploy/prometheus/sync-prometheusrule.mjs: edit
# alerts.yml (where promtool tests the rules), then run the script.
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
`;
writeFileSync(new URL('../k8s/prometheusrule.yaml', import.meta.url), header + groups);
