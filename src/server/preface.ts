// Telling HTTP/2 from HTTP/1.1 on one port. An HTTP/2 client without TLS
// (prior knowledge, as gossip peers dial) opens with the fixed connection
// preface; an HTTP/1.1 request line can never start with it. The bytes read
// to decide are pushed back, so whichever server gets the socket reads the
// connection from its first byte.
import type { Duplex } from 'node:stream';

/** RFC 9113 §3.4: every HTTP/2 connection starts with these 24 octets. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type Protocol = 'h2' | 'http1';

/**
 * Reads just enough of `socket` to know whether it opens with the HTTP/2
 * preface, then pauses it with those bytes unshifted. Resolves 'http1' for
 * anything else (garbage too: the HTTP/1.1 server answers 400 and closes),
 * including a client that stays silent for `silentMs` (a browser's
 * speculative connection: the HTTP/1.1 server's own timeouts take over), and
 * `undefined` when the socket ends or fails before deciding.
 */
export function sniffProtocol(socket: Duplex, silentMs = 30_000): Promise<Protocol | undefined> {
  return new Promise((resolve) => {
    let seen: Buffer = Buffer.alloc(0);
    const finish = (p: Protocol | undefined) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('close', onGone);
      socket.off('error', onGone);
      if (p) {
        socket.pause();
        if (seen.length) socket.unshift(seen);
      }
      resolve(p);
    };
    const onData = (chunk: Buffer) => {
      seen = seen.length ? Buffer.concat([seen, chunk]) : chunk;
      const n = Math.min(seen.length, HTTP2_PREFACE.length);
      if (!seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n))) finish('http1');
      else if (n === HTTP2_PREFACE.length) finish('h2');
      // else: a prefix of the preface so far, read on
    };
    const onGone = () => finish(undefined);
    const timer = setTimeout(() => finish('http1'), silentMs);
    timer.unref?.();
    socket.on('data', onData);
    socket.once('end', onGone);
    socket.once('close', onGone);
    socket.once('error', onGone);
  });
}
