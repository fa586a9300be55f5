// Preloaded into the exporter under test (NODE_OPTIONS=--import=<this file>): on SIGUSR2 the main thread
// gets one unhandled promise rejection and one uncaught exception, as a bug in a library callback would
// cause. The exporter's process handlers must log and count both and keep running.
// FAULT_PRELOAD_DETAIL (optional) is appended to both error messages (the redaction test puts a URL with
// credentials there).
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const detail = process.env.FAULT_PRELOAD_DETAIL ? ` ${process.env.FAULT_PRELOAD_DETAIL}` : '';
  process.on('SIGUSR2', () => {
    void Promise.reject(new Error(`fault test: deliberate unhandled rejection${detail}`));
    setTimeout(() => {
      throw new Error(`fault test: deliberate uncaught exception${detail}`);
    }, 10);
  });
}
