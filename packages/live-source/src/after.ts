import type { Socket } from 'node:net';

/** Runs fn after ms (at once for 0) unless the socket closes first. */
export function after(socket: Socket, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  const timer = setTimeout(() => {
    if (!socket.destroyed) fn();
  }, ms);
  socket.once('close', () => clearTimeout(timer));
}
