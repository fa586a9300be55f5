/**
 * The one read buffer of this thread. Every probe socket on a worker thread reads into it (the
 * `onread` option of net/tls.connect): no per-read allocation, no per-read garbage. Safe because a
 * socket's read callback runs synchronously right after the read, before any other socket reads;
 * consumers therefore must process each chunk during the callback and never keep a view of it.
 * Module state is per thread (each worker has its own module instance).
 *
 * A plain Uint8Array, not a Buffer: every view of it taken per read (the body slice handed to the
 * consumer, the parser's own views of it) is then built by the engine's TypedArray#subarray instead of
 * Buffer#subarray, which constructs a FastBuffer subclass in JavaScript (measured: the largest
 * allocation site of the probe after the parser, see docs/benchmarks.md "Profiling").
 */
export const READ_BUFFER_BYTES = 64 * 1024;

let shared: Uint8Array | undefined;

export function threadReadBuffer(): Uint8Array {
  shared ??= new Uint8Array(READ_BUFFER_BYTES);
  return shared;
}
