// Capture writers for tests, the simulator and the tshark cross-check: UDP
// datagrams wrapped in IPv4 (RFC 791 header checksum, RFC 768 UDP checksum
// over the pseudo-header) and Ethernet II or raw IP, in pcap
// (draft-ietf-opsawg-pcap) or pcapng (draft-ietf-opsawg-pcapng: one SHB, one
// IDB, one EPB per datagram).

import { SkyError } from '../core/errors.ts';

export interface CaptureDatagram {
  readonly timeS: number;
  readonly payload: Uint8Array;
  /** Default 50000. */
  readonly srcPort?: number;
  /** Default 8600, the port tshark dissects as ASTERIX. */
  readonly dstPort?: number;
}

export interface CaptureWriteOptions {
  /** 'ethernet' (LINKTYPE_ETHERNET 1, default) or 'raw' IPv4 (LINKTYPE_RAW 101). */
  readonly linkType?: 'ethernet' | 'raw';
  /** Default 'le', what most capture tools write on x86. */
  readonly byteOrder?: 'le' | 'be';
  /** Timestamp resolution: 'us' (default) or 'ns' (pcap magic a1b23c4d; pcapng if_tsresol 9). */
  readonly timeResolution?: 'us' | 'ns';
  /** Dotted IPv4; default 192.0.2.1 (TEST-NET-1, RFC 5737). */
  readonly srcAddress?: string;
  /** Dotted IPv4; default 127.0.0.1. A multicast address gets the matching 01:00:5e MAC. */
  readonly dstAddress?: string;
  /** Compute the UDP checksum (default true); false writes 0, "no checksum" in IPv4. */
  readonly udpChecksum?: boolean;
}

const MAX_UDP_PAYLOAD = 65535 - 20 - 8;

function ipv4(text: string): Uint8Array {
  const parts = text.split('.').map((s) => Number(s));
  if (parts.length !== 4 || parts.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
    throw new SkyError('SKY_PCAP_WRITE', `"${text}" is not a dotted IPv4 address; use e.g. 192.0.2.1`);
  }
  return Uint8Array.from(parts);
}

function onesComplementSum(bytes: Uint8Array, start: number, end: number, sum = 0): number {
  for (let i = start; i < end; i += 2) sum += ((bytes[i] ?? 0) << 8) | (i + 1 < end ? (bytes[i + 1] ?? 0) : 0);
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** Link-layer frame (Ethernet II or bare IPv4) of one UDP datagram. */
function frame(d: CaptureDatagram, index: number, opts: CaptureWriteOptions, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const n = d.payload.length;
  if (n > MAX_UDP_PAYLOAD) {
    throw new SkyError('SKY_PCAP_WRITE', `datagram ${index} has a ${n}-byte payload; UDP over IPv4 carries at most ${MAX_UDP_PAYLOAD}`);
  }
  const eth = opts.linkType === 'raw' ? 0 : 14;
  const out = new Uint8Array(eth + 20 + 8 + n);
  const dv = new DataView(out.buffer);
  if (eth) {
    // RFC 1112 section 6.4: an IPv4 multicast group maps to 01:00:5e plus its low 23 bits.
    if (dst[0]! >= 224 && dst[0]! <= 239) out.set([0x01, 0x00, 0x5e, dst[1]! & 0x7f, dst[2]!, dst[3]!], 0);
    else out.set([0x02, 0, 0, 0, 0, 0x02], 0); // locally administered
    out.set([0x02, 0, 0, 0, 0, 0x01], 6);
    dv.setUint16(12, 0x0800);
  }
  const ip = eth;
  out[ip] = 0x45; // version 4, no options
  dv.setUint16(ip + 2, 20 + 8 + n);
  dv.setUint16(ip + 4, index & 0xffff); // identification
  dv.setUint16(ip + 6, 0x4000); // don't fragment
  out[ip + 8] = 64; // TTL
  out[ip + 9] = 17; // UDP
  out.set(src, ip + 12);
  out.set(dst, ip + 16);
  dv.setUint16(ip + 10, ~fold(onesComplementSum(out, ip, ip + 20)) & 0xffff);
  const u = ip + 20;
  dv.setUint16(u, d.srcPort ?? 50000);
  dv.setUint16(u + 2, d.dstPort ?? 8600);
  dv.setUint16(u + 4, 8 + n);
  out.set(d.payload, u + 8);
  if (opts.udpChecksum !== false) {
    // Pseudo-header: source, destination, zero + protocol, UDP length.
    let sum = onesComplementSum(out, ip + 12, ip + 20);
    sum += 17 + 8 + n;
    sum = onesComplementSum(out, u, u + 8 + n, sum);
    const c = ~fold(sum) & 0xffff;
    dv.setUint16(u + 6, c === 0 ? 0xffff : c); // 0 means "none", so all-ones stands for zero
  }
  return out;
}

function splitTime(timeS: number, fracPerS: number, index: number): [number, number] {
  if (!Number.isFinite(timeS) || timeS < 0 || timeS >= 2 ** 32) {
    throw new SkyError('SKY_PCAP_WRITE', `datagram ${index} has time ${timeS} s; captures hold 0 to 2^32 s since 1970`);
  }
  let sec = Math.floor(timeS);
  let frac = Math.round((timeS - sec) * fracPerS);
  if (frac >= fracPerS) { sec++; frac -= fracPerS; }
  return [sec, frac];
}

function frames(datagrams: readonly CaptureDatagram[], opts: CaptureWriteOptions): Uint8Array[] {
  const src = ipv4(opts.srcAddress ?? '192.0.2.1');
  const dst = ipv4(opts.dstAddress ?? '127.0.0.1');
  return datagrams.map((d, i) => frame(d, i, opts, src, dst));
}

/** A pcap file of UDP datagrams (linktype Ethernet or raw IPv4). */
export function writePcap(datagrams: readonly CaptureDatagram[], opts: CaptureWriteOptions = {}): Uint8Array {
  const le = opts.byteOrder !== 'be';
  const ns = opts.timeResolution === 'ns';
  const fs = frames(datagrams, opts);
  const out = new Uint8Array(24 + fs.reduce((a, f) => a + 16 + f.length, 0));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, 262144, le); // snaplen
  dv.setUint32(20, opts.linkType === 'raw' ? 101 : 1, le);
  let p = 24;
  fs.forEach((f, i) => {
    const [sec, frac] = splitTime(datagrams[i]!.timeS, ns ? 1e9 : 1e6, i);
    dv.setUint32(p, sec, le);
    dv.setUint32(p + 4, frac, le);
    dv.setUint32(p + 8, f.length, le);
    dv.setUint32(p + 12, f.length, le);
    out.set(f, p + 16);
    p += 16 + f.length;
  });
  return out;
}

/** A pcapng file of UDP datagrams: SHB, one IDB, one EPB per datagram. */
export function writePcapng(datagrams: readonly CaptureDatagram[], opts: CaptureWriteOptions = {}): Uint8Array {
  const le = opts.byteOrder !== 'be';
  const ns = opts.timeResolution === 'ns';
  const fs = frames(datagrams, opts);
  const pad4 = (n: number): number => (n + 3) & ~3;
  const shbLen = 28;
  const idbLen = 20 + (ns ? 8 + 4 : 0); // if_tsresol option + opt_endofopt
  const total = shbLen + idbLen + fs.reduce((a, f) => a + 32 + pad4(f.length), 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x0a0d0d0a, le);
  dv.setUint32(4, shbLen, le);
  dv.setUint32(8, 0x1a2b3c4d, le);
  dv.setUint16(12, 1, le);
  dv.setUint16(14, 0, le);
  dv.setBigInt64(16, -1n, le); // section length not given
  dv.setUint32(24, shbLen, le);
  let p = shbLen;
  dv.setUint32(p, 1, le);
  dv.setUint32(p + 4, idbLen, le);
  dv.setUint16(p + 8, opts.linkType === 'raw' ? 101 : 1, le);
  dv.setUint32(p + 12, 262144, le);
  if (ns) {
    dv.setUint16(p + 16, 9, le); // if_tsresol
    dv.setUint16(p + 18, 1, le);
    out[p + 20] = 9; // 10^-9 s
    // bytes p+21..23 padding, p+24..27 opt_endofopt (zeros)
  }
  dv.setUint32(p + idbLen - 4, idbLen, le);
  p += idbLen;
  const perS = ns ? 1e9 : 1e6;
  fs.forEach((f, i) => {
    const [sec, frac] = splitTime(datagrams[i]!.timeS, perS, i);
    const ticks = BigInt(sec) * BigInt(perS) + BigInt(frac);
    const len = 32 + pad4(f.length);
    dv.setUint32(p, 6, le);
    dv.setUint32(p + 4, len, le);
    dv.setUint32(p + 8, 0, le); // interface 0
    dv.setUint32(p + 12, Number(ticks >> 32n), le);
    dv.setUint32(p + 16, Number(ticks & 0xffffffffn), le);
    dv.setUint32(p + 20, f.length, le);
    dv.setUint32(p + 24, f.length, le);
    out.set(f, p + 28);
    dv.setUint32(p + len - 4, len, le);
    p += len;
  });
  return out;
}
