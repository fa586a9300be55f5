import { ConfigError, loadConfigFile, summarizeConfig } from '../config/index.js';

/** `video-exporter check-config FILE`: 0 and a summary when valid, 2 and the problems when not. */
export async function checkConfigCommand(
  path: string,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  try {
    const config = await loadConfigFile(path);
    for (const w of config.warnings) err.write(`warning: ${w}\n`);
    out.write(`${path}: OK\n${summarizeConfig(config)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err.write(`${path}: invalid\n${e.message}\n`);
    return 2;
  }
}
