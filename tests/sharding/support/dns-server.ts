/**
 * A tiny authoritative DNS server on loopback UDP (dns-packet), standing in for the cluster DNS of a
 * headless Service: the test sets which addresses a name has and the exporters (pointed at it with
 * SHARD_DNS_SERVER or sharding.dns_server) see them on their next look-up.
 *
 * Unknown names answer NXDOMAIN, a known name without records of the asked type answers NOERROR with
 * no answers (node: ENODATA), and `failWith('SERVFAIL')` makes every answer a server failure.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import dnsPacket from 'dns-packet';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface DnsQuery {
  name: string;
  type: string;
  at: number;
}

export class TestDnsServer {
  readonly queries: DnsQuery[] = [];
  private readonly records = new Map<string, string[]>();
  private failure: keyof typeof RCODE | undefined;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => this.answer(msg, rinfo));
  }

  static async start(): Promise<TestDnsServer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    return new TestDnsServer(socket);
  }

  /** "127.0.0.1:PORT", as sharding.dns_server / SHARD_DNS_SERVER take it */
  get address(): string {
    const a = this.socket.address();
    return `${a.address}:${a.port}`;
  }

  /** The addresses of `name` (A for IPv4, AAAA for IPv6), replacing any before. */
  set(name: string, addresses: readonly string[]): void {
    this.records.set(name.toLowerCase(), [...addresses]);
  }

  /** Every answer fails with this code until called with undefined. */
  failWith(rcode: 'SERVFAIL' | 'REFUSED' | undefined): void {
    this.failure = rcode;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let query: ReturnType<typeof dnsPacket.decode>;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: drop, as a server would
    }
    const q = query.questions?.[0];
    if (!q) return;
    this.queries.push({ name: q.name, type: q.type, at: Date.now() });
    const known = this.records.get(q.name.toLowerCase());
    let rcode: number = RCODE.NOERROR;
    const answers: dnsPacket.Answer[] = [];
    if (this.failure) rcode = RCODE[this.failure];
    else if (known === undefined) rcode = RCODE.NXDOMAIN;
    else {
      const family = q.type === 'A' ? 4 : q.type === 'AAAA' ? 6 : 0;
      for (const address of known) {
        if (isIP(address) === family)
          answers.push({ type: q.type as 'A' | 'AAAA', name: q.name, ttl: 0, class: 'IN', data: address });
      }
    }
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | rcode,
      questions: query.questions ?? [],
      answers,
    });
    this.socket.send(reply, rinfo.port, rinfo.address);
  }
}
