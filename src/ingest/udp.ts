// Live UDP: a receiver that turns datagrams into data blocks, and a sender
// for the simulator's real-time mode. Sockets are node:dgram; multicast
// receivers set reuseAddr so several processes on one host can share a feed.

import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { SkyError } from '../core/errors.ts';
import { splitBlocks, type DataBlock } from './blocks.ts';

export interface UdpOptions {
  port: number;
  /** Bind address, default 0.0.0.0 (:: when the group is IPv6). */
  host?: string;
  multicastGroup?: string;
  /** Local interface address to join the group on (e.g. 127.0.0.1); default: the kernel's choice. */
  multicastInterface?: string;
  /** Seconds since epoch; injected so replays and tests are deterministic. */
  clock?: () => number;
}

const wallClockS = (): number => Date.now() / 1000;

/**
 * Live UDP receiver, unicast or multicast. Each datagram -> splitBlocks ->
 * onBlock. Bind (and multicast join) failures reject start() with
 * SKY_UDP_BIND. Blocks carry source `udp:<group or bind address>:<port>`
 * (the feed); framing errors also name the sending host and port.
 */
export class UdpReceiver {
  readonly stats = { datagrams: 0, blocks: 0, errors: 0 };
  private socket: dgram.Socket | null = null;
  private readonly clock: () => number;

  constructor(
    private readonly opts: UdpOptions,
    private readonly onBlock: (b: DataBlock) => void,
    private readonly onError: (e: SkyError) => void,
  ) {
    this.clock = opts.clock ?? wallClockS;
  }

  start(): Promise<{ address: string; port: number }> {
    if (this.socket) return Promise.reject(new SkyError('SKY_UDP_BIND', 'this receiver is already started; create another one'));
    const { port, multicastGroup, multicastInterface } = this.opts;
    const v6 = isIPv6(multicastGroup ?? this.opts.host ?? '');
    const host = this.opts.host ?? (v6 ? '::' : '0.0.0.0');
    const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', reuseAddr: multicastGroup !== undefined });
    this.socket = socket;
    const where = `${host}:${port}${multicastGroup ? ` (group ${multicastGroup})` : ''}`;
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        this.socket = null;
        socket.close();
        reject(new SkyError('SKY_UDP_BIND', `cannot listen on udp ${where}: ${why}; check that the port is free and the address is local`));
      };
      socket.once('error', (err) => fail(err.message));
      socket.bind({ port, address: host }, () => {
        socket.removeAllListeners('error');
        if (multicastGroup) {
          try {
            socket.addMembership(multicastGroup, multicastInterface);
          } catch (err) {
            fail(`joining the multicast group failed (${(err as Error).message})`);
            return;
          }
        }
        const bound = socket.address();
        const source = `udp:${multicastGroup ?? bound.address}:${bound.port}`;
        socket.on('error', (err) => {
          this.stats.errors++;
          this.onError(new SkyError('SKY_UDP_SOCKET', `udp ${source}: ${err.message}`));
        });
        socket.on('message', (msg, rinfo) => this.receive(msg, rinfo, source));
        resolve({ address: bound.address, port: bound.port });
      });
    });
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo, source: string): void {
    this.stats.datagrams++;
    const receivedS = this.clock();
    const onError = (e: SkyError): void => {
      this.stats.errors++;
      this.onError(new SkyError(e.code, `${e.message} (sender ${rinfo.address}:${rinfo.port})`, { offset: e.offset }));
    };
    for (const block of splitBlocks(msg, source, -1, receivedS, onError)) {
      this.stats.blocks++;
      this.onBlock(block);
    }
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}

export interface UdpSenderOptions {
  host: string;
  port: number;
  /** Hops a multicast datagram may take (IP TTL); the kernel default is 1. */
  multicastTtl?: number;
  /** Local interface address multicast leaves by (e.g. 127.0.0.1); default: the routing table's choice. */
  multicastInterface?: string;
}

/** Sends each payload as one datagram to host:port (unicast or multicast). */
export class UdpSender {
  private socket: Promise<dgram.Socket> | null = null;

  constructor(private readonly opts: UdpSenderOptions) {}

  private open(): Promise<dgram.Socket> {
    // Bound lazily: multicast options can only be set on a bound socket.
    this.socket ??= new Promise((resolve, reject) => {
      const { host, multicastTtl, multicastInterface } = this.opts;
      const s = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      s.once('error', (err) => reject(new SkyError('SKY_UDP_SEND', `cannot open a socket to send to ${host}:${this.opts.port}: ${err.message}`)));
      s.bind(0, () => {
        s.removeAllListeners('error');
        s.on('error', () => { /* send errors arrive through the send callback */ });
        try {
          if (multicastTtl !== undefined) s.setMulticastTTL(multicastTtl);
          if (multicastInterface !== undefined) s.setMulticastInterface(multicastInterface);
        } catch (err) {
          reject(new SkyError('SKY_UDP_SEND', `cannot set multicast options for ${host}:${this.opts.port}: ${(err as Error).message}`));
          return;
        }
        resolve(s);
      });
    });
    return this.socket;
  }

  async send(payload: Uint8Array): Promise<void> {
    const s = await this.open();
    const { host, port } = this.opts;
    await new Promise<void>((resolve, reject) =>
      s.send(payload, port, host, (err) =>
        err ? reject(new SkyError('SKY_UDP_SEND', `sending ${payload.length} bytes to ${host}:${port} failed: ${err.message}`)) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    const pending = this.socket;
    this.socket = null;
    if (!pending) return;
    const s = await pending.catch(() => null);
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
