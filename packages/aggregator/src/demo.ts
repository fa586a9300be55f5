import { fileURLToPath } from 'node:url';
import { type LiveSource, startLiveSource } from '@video-exporter/live-source';
import { type Config, parseConfigText } from './config/index.js';
import { startDemoTargets } from './demo-targets.js';

const asset = (name: string) => fileURLToPath(new URL(`../assets/${name}`, import.meta.url));

/**
 * The embedded demo (SPEC §8): a loopback HTTP-FLV source serving the bundled fixtures, and a
 * config probing a few healthy and deliberately faulty streams on it.
 */
export async function startDemo(): Promise<{ source: LiveSource; config: Config }> {
  const source = await startLiveSource({
    fixtures: {
      demo: asset('demo_360p25.flv'),
      low: asset('demo_360p25_low.flv'),
      // perfect bitrate and frame rate, nothing to see: only the content checks (SPEC §13) tell
      black: asset('demo_360p25_black.flv'),
      frozen: asset('demo_360p25_frozen.flv'),
    },
  });
  const base = `${source.url}/live`;
  const targets = await startDemoTargets(base);
  // one close for both: the caller knows only the live source
  const closeSource = source.close.bind(source);
  source.close = async () => {
    await Promise.all([targets.close(), closeSource()]);
  };
  const yaml = `
exporter:
  check_interval: 15
  sample_duration: 6
  max_retries: 1
  listen_addr: "127.0.0.1:8080"
streams:
  DEMO:
    SOURCE:
      - { id: healthy, url: "${base}/demo/healthy.flv", tags: { role: "healthy" } }
      - { id: low-bitrate, url: "${base}/low/low-bitrate.flv", tags: { role: "low bitrate" } }
    CDN:
      - id: healthy-cdn
        url: "${base}/demo/healthy-cdn.flv?gop_cache=1&onfi_offset_ms=1500"
        tags: { role: "gop cache" }
      - { id: stalling, url: "${base}/demo/stalling.flv?pause_ms=800&pause_every_ms=2000", tags: { role: "stalling" } }
      - { id: slow-start, url: "${base}/demo/slow-start.flv?delay_body_ms=2500", tags: { role: "slow start" } }
      - { id: offline, url: "${base}/demo/offline.flv?status=404", tags: { role: "offline" } }
      - { id: black, url: "${base}/black/black.flv", tags: { role: "black picture, silent" } }
      - { id: frozen, url: "${base}/frozen/frozen.flv", tags: { role: "frozen picture" } }
discovery:
  - { name: demo-sd, type: http_sd, url: "${targets.url}", refresh_interval: 15 }
`;
  return { source, config: parseConfigText(yaml, { source: 'embedded demo' }) };
}
