// Free TCP ports on a loopback address, for servers a test hands a port to
// (gossip listeners, external binaries) instead of letting them bind port 0.
import net from 'node:net';

function assertLoopback(host: string): void {
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== '::1') throw new Error(`freePort: ${host} is not a loopback address (tests bind 127.0.0.x only)`);
}

function listenEphemeral(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (err) => reject(new Error(`freePort: cannot listen on ${host}: ${err.message}`)));
    s.listen(0, host, () => resolve(s));
  });
}

/** `n` distinct free ports on `host` (all held open together, so none repeats). */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  assertLoopback(host);
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) servers.push(await listenEphemeral(host));
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** One free port on `host` (default 127.0.0.1). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return (await freePorts(1, host))[0];
}
