/**
 * The one read buffer of this thread. Every probe socket on a worker thread reads into it (the
 * `onread` option of net/tls.connect): no per-read allocation, no per-read garbage. Safe because a
 * socket's read callback runs synchronously right after the read, before any other socket reads;
 * consumers therefore must process each chunk during the callback and never keep a view of it.
 * Module state is per thread (each worker has its own module instance).
 */
export const READ_BUFFER_BYTES = 64 * 1024;

let shared: Buffer | undefined;

export function threadReadBuffer(): Buffer {
  return (shared ??= Buffer.allocUnsafe(READ_BUFFER_BYTES));
}
