import { fileURLToPath, pathToFileURL } from 'node:url';

const PRELOAD = fileURLToPath(new URL('./unhandled-preload.mjs', import.meta.url));

/** Env for ExporterProcess.spawn that preloads unhandled-preload.mjs (SIGUSR2 → one rejection, one exception). */
export function unhandledPreloadEnv(detail?: string): NodeJS.ProcessEnv {
  const existing = process.env.NODE_OPTIONS ?? '';
  return {
    NODE_OPTIONS: `${existing} --import=${pathToFileURL(PRELOAD).href}`.trim(),
    ...(detail !== undefined ? { FAULT_PRELOAD_DETAIL: detail } : {}),
  };
}
