import { readFile } from 'node:fs/promises';
import { type ProbeResult, probeFileBytes } from '@video-exporter/probe-worker';
import { formatProbeSummary } from '../format/probe-text.js';
import { scoreSingleProbe } from '../scoring/single-probe.js';
import { checkFileContent, contentLine, finishContent } from './probe-content.js';
import { UsageError } from './usage.js';

export interface ProbeCommandOptions {
  target: string;
  json: boolean;
  durationS?: number;
  minKeyframes: number;
  /** SPEC §13: run a content check with the probe */
  content?: boolean;
  /** write the check's JPEG here (needs content) */
  thumbnail?: string;
}

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

/** `video-exporter probe <url|file.flv>`: exit 0 when ok, 1 when the probe failed. */
export async function probeCommand(o: ProbeCommandOptions, out: NodeJS.WritableStream): Promise<number> {
  let result: ProbeResult;
  if (isUrl(o.target)) {
    const { probeUrlOnce } = await import('./probe-url.js');
    result = await probeUrlOnce(o);
  } else {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(o.target);
    } catch (err) {
      throw new UsageError(`cannot read ${o.target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    result = probeFileBytes(o.target, bytes);
    const flvHeader = !(result.reason === 'not_flv');
    result.scores = scoreSingleProbe(result, { minKeyframes: o.minKeyframes, local: true, flvHeader });
    if (o.content) await checkFileContent(result, bytes);
  }
  const content = await finishContent(result, o.thumbnail);
  const shown = content ? { ...result, content } : result;
  const text = `${formatProbeSummary(result)}${content ? `\n${contentLine(content)}` : ''}`;
  out.write(o.json ? `${JSON.stringify(shown, null, 2)}\n` : `${text}\n`);
  return result.ok ? 0 : 1;
}
