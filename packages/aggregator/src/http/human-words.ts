/** Words and short human forms for the status page (pure; no HTML here, the page escapes). */
import type { Score } from '../scoring/rules.js';

const QUALITY_WORDS = ['poor', 'fair', 'good'] as const;
const STABILITY_WORDS = ['unstable', 'moderate', 'stable'] as const;

/** quality and overall share one scale: good (2) / fair (1) / poor (0) */
export function qualityWord(score: Score): string {
  return QUALITY_WORDS[score];
}

/** stability is unknown until enough successful probes exist (SPEC §4) */
export function stabilityWord(score: Score | undefined): string {
  return score === undefined ? 'unknown' : STABILITY_WORDS[score];
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; a timestamp in the future (clock skew) reads "just now". */
export function relativeTime(thenS: number, nowS: number): string {
  const d = Math.floor(nowS - thenS);
  if (d < 1) return 'just now';
  if (d < 60) return `${d} s ago`;
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86_400) return `${Math.floor(d / 3600)} h ago`;
  return `${Math.floor(d / 86_400)} d ago`;
}

/** an uptime in its two largest units: "3 d 4 h", "2 h 5 min", "5 min 3 s", "12 s" */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${r} s`;
  return `${r} s`;
}

/** at most `digits` decimals, trailing zeros dropped: 25 → "25", 29.97 → "29.97", 1/3 → "0.33" */
export function shortNumber(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits)));
}
