// Captures of UDP traffic (pcap and pcapng) -> UDP payloads -> data blocks.
//
// File-format sources (facts only, no code taken):
// - pcap: draft-ietf-opsawg-pcap (file header, record header, the FCS bits in
//   the link-type field), tcpdump.org/manpages/pcap-savefile.5.html.
// - pcapng: draft-ietf-opsawg-pcapng (SHB, IDB with if_tsresol = option 9 and
//   if_tsoffset = option 14, EPB, SPB, obsolete PB; block type codes).
// - link types: tcpdump.org/linktypes.html (NULL 0, ETHERNET 1, RAW 101,
//   LOOP 108, LINUX_SLL 113, IPV4 228, IPV6 229, LINUX_SLL2 276).
// - IPv4 RFC 791, IPv6 RFC 8200 (extension headers), UDP RFC 768,
//   802.1Q / 802.1ad VLAN tags (TPID 0x8100, 0x88a8, 0x9100).

import { SkyError } from '../core/errors.ts';
import { splitBlocks, type DataBlock, type FramingStats, type SplitOptions } from './blocks.ts';

/** Mutable counters a caller may pass in; every dropped packet lands in one of them. */
export interface CaptureStats extends FramingStats {
  /** Packet records read (pcap records, pcapng EPB/SPB/PB). */
  packets: number;
  udpDatagrams: number;
  /** ARP, TCP, ICMP, non-IP, ... skipped silently. */
  nonUdpPackets: number;
  /** IPv4/IPv6 fragments: skipped (not reassembled). */
  ipFragments: number;
  /** Packets on an interface whose link type this reader does not know. */
  unsupportedLinkPackets: number;
  /** Records or packets that were malformed (each also raised an error). */
  badPackets: number;
}

export function newCaptureStats(): CaptureStats {
  return {
    packets: 0,
    udpDatagrams: 0,
    nonUdpPackets: 0,
    ipFragments: 0,
    unsupportedLinkPackets: 0,
    badPackets: 0,
    blocks: 0,
    skippedBytes: 0,
  };
}

/** Which capture format a buffer starts with, from its magic number; null if neither. */
export function captureFormat(buf: Uint8Array): 'pcap' | 'pcapng' | null {
  if (buf.length < 4) return null;
  const m = ((buf[0]! << 24) | (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!) >>> 0;
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return 'pcap';
  if (m === 0x0a0d0d0a) return 'pcapng';
  return null;
}

const LINK_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'BSD loopback'],
  [1, 'Ethernet'],
  [12, 'raw IP'],
  [101, 'raw IP'],
  [108, 'OpenBSD loopback'],
  [113, 'Linux cooked (SLL)'],
  [228, 'raw IPv4'],
  [229, 'raw IPv6'],
  [276, 'Linux cooked v2 (SLL2)'],
]);
const SUPPORTED_LINKS = 'Ethernet (1), BSD loopback (0), OpenBSD loopback (108), raw IP (101, 228, 229), Linux SLL (113), SLL2 (276)';

// --- Link, IP and UDP headers -------------------------------------------------

type Located =
  | { readonly kind: 'udp'; readonly start: number; readonly end: number; readonly declaredEnd: number }
  | { readonly kind: 'other' }
  | { readonly kind: 'fragment' }
  | { readonly kind: 'bad'; readonly why: string };

const OTHER: Located = { kind: 'other' };
const FRAGMENT: Located = { kind: 'fragment' };

function u16be(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

function byEtherType(t: number, at: number): { at: number; ip: 4 | 6 | 0 } {
  return { at, ip: t === 0x0800 ? 4 : t === 0x86dd ? 6 : 0 };
}

/** Where the IP header starts after the link-layer header, and which IP version the link says. */
function afterLink(b: Uint8Array, s: number, e: number, linkType: number): { at: number; ip: 4 | 6 | 0 } | { bad: string } | null {
  switch (linkType) {
    case 1: {
      let at = s + 12;
      if (at + 2 > e) return { bad: `Ethernet header needs 14 bytes, ${e - s} captured` };
      let type = u16be(b, at);
      // 802.1Q / 802.1ad tags: 2-byte TPID already read, 2-byte TCI, then the next type.
      while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
        at += 4;
        if (at + 2 > e) return { bad: `VLAN tag cut at ${e - s} captured bytes` };
        type = u16be(b, at);
      }
      return byEtherType(type, at + 2); // < 0x0600 is an 802.3 length (LLC): not IP
    }
    case 0:
    case 108: {
      if (s + 4 > e) return { bad: `loopback header needs 4 bytes, ${e - s} captured` };
      // NULL stores the address family in the capturing host's byte order,
      // LOOP in network order; the family is small, so the smaller reading wins.
      const le = ((b[s]! | (b[s + 1]! << 8) | (b[s + 2]! << 16) | (b[s + 3]! << 24)) >>> 0);
      const be = ((b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!) >>> 0;
      const fam = linkType === 108 ? be : Math.min(le, be);
      // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin).
      const ip = fam === 2 ? 4 : fam === 10 || fam === 24 || fam === 28 || fam === 30 ? 6 : 0;
      return { at: s + 4, ip };
    }
    case 12:
    case 101:
    case 228:
    case 229: {
      if (s >= e) return { bad: 'empty raw IP packet' };
      const v = (b[s] ?? 0) >> 4;
      return { at: s, ip: v === 4 ? 4 : v === 6 ? 6 : 0 };
    }
    case 113:
      if (s + 16 > e) return { bad: `SLL header needs 16 bytes, ${e - s} captured` };
      return byEtherType(u16be(b, s + 14), s + 16);
    case 276:
      if (s + 20 > e) return { bad: `SLL2 header needs 20 bytes, ${e - s} captured` };
      return byEtherType(u16be(b, s), s + 20);
    default:
      return null;
  }
}

function udpIn(b: Uint8Array, u: number, ipEnd: number, e: number): Located {
  const end = Math.min(ipEnd, e);
  if (u + 8 > end) return { kind: 'bad', why: `UDP header needs 8 bytes, ${Math.max(0, end - u)} present` };
  const udpLen = u16be(b, u + 4);
  if (udpLen < 8) return { kind: 'bad', why: `UDP length ${udpLen} is below the 8-byte header` };
  const declaredEnd = u + udpLen;
  if (declaredEnd > ipEnd) return { kind: 'bad', why: `UDP length ${udpLen} exceeds the ${ipEnd - u} bytes the IP header leaves` };
  return { kind: 'udp', start: u + 8, end: Math.min(declaredEnd, e), declaredEnd };
}

function locateUdp(b: Uint8Array, s: number, e: number, linkType: number): Located {
  const link = afterLink(b, s, e, linkType);
  if (link === null) return OTHER;
  if ('bad' in link) return { kind: 'bad', why: link.bad };
  const p = link.at;
  if (link.ip === 4) {
    if (p + 20 > e) return { kind: 'bad', why: `IPv4 header needs 20 bytes, ${Math.max(0, e - p)} captured` };
    if ((b[p]! >> 4) !== 4) return { kind: 'bad', why: `link says IPv4 but the IP version is ${b[p]! >> 4}` };
    const ihl = (b[p]! & 0x0f) * 4; // options included
    if (ihl < 20) return { kind: 'bad', why: `IPv4 header length ${ihl} is below 20` };
    let total = u16be(b, p + 2);
    // Total length 0: segmentation offload on the capturing host; trust the capture.
    if (total === 0) total = e - p;
    if (total < ihl) return { kind: 'bad', why: `IPv4 total length ${total} is below its header length ${ihl}` };
    const frag = u16be(b, p + 6);
    if ((frag & 0x2000) !== 0 || (frag & 0x1fff) !== 0) return FRAGMENT;
    if (b[p + 9] !== 17) return OTHER;
    if (p + ihl > e) return { kind: 'bad', why: `IPv4 options cut at ${e - p} captured bytes` };
    return udpIn(b, p + ihl, p + total, e);
  }
  if (link.ip === 6) {
    if (p + 40 > e) return { kind: 'bad', why: `IPv6 header needs 40 bytes, ${Math.max(0, e - p)} captured` };
    if ((b[p]! >> 4) !== 6) return { kind: 'bad', why: `link says IPv6 but the IP version is ${b[p]! >> 4}` };
    const payloadLen = u16be(b, p + 4);
    const ipEnd = payloadLen === 0 ? e : p + 40 + payloadLen; // 0: jumbogram or offload
    let next = b[p + 6]!;
    let at = p + 40;
    for (let hops = 0; hops < 16; hops++) {
      if (next === 17) return udpIn(b, at, ipEnd, e);
      if (next === 0 || next === 43 || next === 60 || next === 51) {
        if (at + 2 > e) return { kind: 'bad', why: 'IPv6 extension header cut' };
        const len = next === 51 ? (b[at + 1]! + 2) * 4 : (b[at + 1]! + 1) * 8; // AH counts 4-byte words
        next = b[at]!;
        at += len;
      } else if (next === 44) {
        if (at + 8 > e) return { kind: 'bad', why: 'IPv6 fragment header cut' };
        const fo = u16be(b, at + 2);
        // Offset 0 with no more fragments is an atomic fragment: a whole datagram.
        if ((fo & 0xfff8) !== 0 || (fo & 1) !== 0) return FRAGMENT;
        next = b[at]!;
        at += 8;
      } else {
        return OTHER; // TCP, ICMPv6, ESP, no next header, ...
      }
    }
    return { kind: 'bad', why: 'more than 16 IPv6 extension headers' };
  }
  return OTHER;
}

// --- Per-packet work shared by both container formats ---------------------------

interface Ctx {
  readonly buf: Uint8Array;
  readonly source: string;
  readonly onError: (e: SkyError) => void;
  readonly stats: CaptureStats;
  readonly split: SplitOptions;
}

function report(ctx: Ctx, code: `SKY_${string}`, offset: number, message: string): void {
  ctx.onError(new SkyError(code, message, { file: ctx.source, offset }));
}

function packetLabel(ctx: Ctx, n: number, recordOffset: number, pcapng: boolean): string {
  return pcapng ? `packet ${n} (block at byte ${recordOffset}) of ${ctx.source}` : `packet ${n} at byte ${recordOffset} of ${ctx.source}`;
}

/**
 * One captured packet -> the UDP payload's [start, end) in ctx.buf, or null
 * when the packet is skipped (counted, and reported when malformed).
 * `fileCut` means the record itself was cut by the end of the file (already
 * reported), so a cut payload is not reported twice. The caller splits the
 * payload: one generator per packet fewer on the hot path.
 */
function udpPayload(
  ctx: Ctx,
  n: number,
  recordOffset: number,
  pcapng: boolean,
  start: number,
  capLen: number,
  origLen: number,
  linkType: number,
  fileCut: boolean,
): { readonly start: number; readonly end: number } | null {
  const { stats } = ctx;
  stats.packets++;
  const loc = locateUdp(ctx.buf, start, start + capLen, linkType);
  switch (loc.kind) {
    case 'other':
      stats.nonUdpPackets++;
      return null;
    case 'fragment':
      stats.ipFragments++;
      return null;
    case 'bad': {
      stats.badPackets++;
      const short = capLen < origLen;
      if (!fileCut) {
        const label = packetLabel(ctx, n, recordOffset, pcapng);
        report(ctx, short ? 'SKY_PCAP_TRUNCATED' : 'SKY_PCAP_BAD_PACKET', recordOffset,
          short ? `${label}: captured ${capLen} of ${origLen} bytes, too few to reach the UDP payload (${loc.why}); skipped`
            : `${label}: ${loc.why}; skipped`);
      }
      return null;
    }
    case 'udp':
      stats.udpDatagrams++;
      if (loc.end < loc.declaredEnd && !fileCut) {
        report(ctx, 'SKY_PCAP_TRUNCATED', recordOffset,
          `${packetLabel(ctx, n, recordOffset, pcapng)}: captured ${capLen} of ${origLen} bytes, UDP payload cut after ${loc.end - loc.start} of ${loc.declaredEnd - loc.start} bytes; complete data blocks kept`);
      }
      return loc;
  }
}

// --- pcap ------------------------------------------------------------------------

const PCAP_HEADER = 24;
const PCAP_RECORD = 16;
const DEFAULT_MAX_PACKET = 262144; // libpcap's MAXIMUM_SNAPLEN
const DAY_S = 86400;

function* readPcap(ctx: Ctx): Generator<DataBlock> {
  const { buf, source } = ctx;
  if (buf.length < PCAP_HEADER) {
    report(ctx, 'SKY_PCAP_BAD_HEADER', 0, `${source} is ${buf.length} bytes, a pcap file header needs ${PCAP_HEADER}`);
    return;
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const m = dv.getUint32(0, false);
  const le = m === 0xd4c3b2a1 || m === 0x4d3cb2a1;
  const fracPerS = m === 0xa1b23c4d || m === 0x4d3cb2a1 ? 1e9 : 1e6;
  const major = dv.getUint16(4, le);
  if (major !== 2) {
    report(ctx, 'SKY_PCAP_BAD_HEADER', 4, `${source}: pcap version ${major}.${dv.getUint16(6, le)} is not 2.x; not read`);
    return;
  }
  const snapLen = dv.getUint32(16, le);
  // Bits 16-31 carry FCS information, not the link type (draft-ietf-opsawg-pcap).
  const linkType = dv.getUint32(20, le) & 0xffff;
  const linkKnown = LINK_NAMES.has(linkType);
  if (!linkKnown) {
    report(ctx, 'SKY_PCAP_LINKTYPE', 20, `${source} has link type ${linkType}; supported: ${SUPPORTED_LINKS}. Its packets are skipped`);
  }
  const maxPacket = Math.max(snapLen, DEFAULT_MAX_PACKET);
  let lastTsS: number | null = null;

  const recordOk = (q: number): boolean => {
    if (q + PCAP_RECORD > buf.length) return false;
    const sec = dv.getUint32(q, le);
    const frac = dv.getUint32(q + 4, le);
    const incl = dv.getUint32(q + 8, le);
    const orig = dv.getUint32(q + 12, le);
    if (frac >= fracPerS || incl === 0 || incl > orig || incl > maxPacket) return false;
    if (lastTsS !== null && Math.abs(sec - lastTsS) > DAY_S) return false;
    return q + PCAP_RECORD + incl <= buf.length;
  };
  // A record we may resume at: sane itself, and followed by a sane record or the end.
  const plausible = (q: number): boolean => {
    if (!recordOk(q)) return false;
    const next = q + PCAP_RECORD + dv.getUint32(q + 8, le);
    return next === buf.length || recordOk(next);
  };

  let p = PCAP_HEADER;
  let n = 0;
  while (p < buf.length) {
    n++;
    const remain = buf.length - p;
    if (remain < PCAP_RECORD) {
      report(ctx, 'SKY_PCAP_TRUNCATED', p, `record ${n} at byte ${p} of ${source}: header needs ${PCAP_RECORD} bytes, ${remain} remain; dropped`);
      ctx.stats.skippedBytes += remain;
      return;
    }
    const sec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    const incl = dv.getUint32(p + 8, le);
    const orig = dv.getUint32(p + 12, le);
    if (incl <= maxPacket && incl <= remain - PCAP_RECORD) {
      lastTsS = sec;
      if (linkKnown) {
        const u = udpPayload(ctx, n, p, false, p + PCAP_RECORD, incl, orig, linkType, false);
        if (u) yield* splitBlocks(buf.subarray(u.start, u.end), source, u.start, sec + frac / fracPerS, ctx.onError, ctx.split);
      } else {
        ctx.stats.packets++;
        ctx.stats.unsupportedLinkPackets++;
      }
      p += PCAP_RECORD + incl;
      continue;
    }
    const label = packetLabel(ctx, n, p, false);
    let q = p + 1;
    while (q < buf.length && !plausible(q)) q++;
    const found = q < buf.length;
    if (!found && incl <= maxPacket) {
      // The file ends inside this packet (a capture still being written, a cut copy).
      report(ctx, 'SKY_PCAP_TRUNCATED', p, `${label} declares ${incl} captured bytes, ${remain - PCAP_RECORD} remain; complete data blocks in it kept`);
      if (linkKnown) {
        const u = udpPayload(ctx, n, p, false, p + PCAP_RECORD, remain - PCAP_RECORD, orig, linkType, true);
        if (u) yield* splitBlocks(buf.subarray(u.start, u.end), source, u.start, sec + frac / fracPerS, ctx.onError, ctx.split);
      }
      return;
    }
    ctx.stats.badPackets++;
    ctx.stats.skippedBytes += q - p;
    const why = incl > maxPacket ? `declares ${incl} captured bytes (limit ${maxPacket})` : `declares ${incl} captured bytes, ${remain - PCAP_RECORD} remain`;
    report(ctx, 'SKY_PCAP_BAD_PACKET', p, found
      ? `${label} ${why}; skipped ${q - p} bytes to the next plausible record at byte ${q}`
      : `${label} ${why}; no plausible record follows, skipped the last ${q - p} bytes`);
    p = q;
  }
}

// --- pcapng ----------------------------------------------------------------------

const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const PB = 2; // obsolete Packet Block
const SPB = 3;
const EPB = 6;
// Block types a re-synchronisation may land on (draft-ietf-opsawg-pcapng, "Block Type Codes").
const KNOWN_BLOCKS: ReadonlySet<number> = new Set([SHB, IDB, PB, SPB, 4, 5, EPB, 9, 0x0a, 0x0bad, 0x40000bad]);

interface Iface {
  readonly linkType: number;
  readonly snapLen: number;
  readonly ticksPerS: number;
  readonly ticksPerSBig: bigint;
  readonly offsetS: number;
}

function* readPcapng(ctx: Ctx): Generator<DataBlock> {
  const { buf, source } = ctx;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let le = true;
  let inSection = false;
  let ifaces: Iface[] = [];
  let n = 0;

  const bomAt = (q: number): boolean | null => {
    if (q + 12 > buf.length) return null;
    const v = dv.getUint32(q + 8, false);
    return v === BOM ? false : v === 0x4d3c2b1a ? true : null;
  };
  // A block is well formed when its length is sane and repeated at its end.
  const wellFormed = (q: number, order: boolean): boolean => {
    if (q + 12 > buf.length) return false;
    const len = dv.getUint32(q + 4, order);
    return len >= 12 && len % 4 === 0 && len <= buf.length - q && dv.getUint32(q + len - 4, order) === len;
  };
  const plausible = (q: number): boolean => {
    if (dv.getUint32(q, false) === SHB) {
      const order = bomAt(q);
      return order !== null && wellFormed(q, order);
    }
    return inSection && KNOWN_BLOCKS.has(dv.getUint32(q, le)) && wellFormed(q, le);
  };

  const timeOf = (iface: Iface, hi: number, lo: number): number => {
    // Ticks since 1970 fit a double exactly below 2^53; nanosecond clocks do not.
    let s: number;
    if (hi < 0x200000) s = (hi * 4294967296 + lo) / iface.ticksPerS;
    else {
      const t = (BigInt(hi) << 32n) | BigInt(lo);
      s = Number(t / iface.ticksPerSBig) + Number(t % iface.ticksPerSBig) / iface.ticksPerS;
    }
    return s + iface.offsetS;
  };

  let p = 0;
  while (p < buf.length) {
    const remain = buf.length - p;
    if (remain < 12) {
      report(ctx, 'SKY_PCAP_TRUNCATED', p, `block at byte ${p} of ${source}: ${remain} bytes remain, a block needs at least 12; dropped`);
      ctx.stats.skippedBytes += remain;
      return;
    }
    let type = dv.getUint32(p, le);
    if (dv.getUint32(p, false) === SHB) {
      const order = bomAt(p);
      if (order === null) {
        report(ctx, 'SKY_PCAP_BAD_HEADER', p, `section header at byte ${p} of ${source} has no byte-order magic 1A2B3C4D; not read further`);
        return;
      }
      le = order;
      type = SHB;
    } else if (!inSection) {
      report(ctx, 'SKY_PCAP_BAD_HEADER', p, `${source} does not start with a pcapng section header block; not read`);
      return;
    }
    const len = dv.getUint32(p + 4, le);
    if (!wellFormed(p, le)) {
      let q = p + 1;
      while (q + 12 <= buf.length && !plausible(q)) q++;
      const found = q + 12 <= buf.length;
      if (!found && len >= 12 && len % 4 === 0 && len > remain) {
        report(ctx, 'SKY_PCAP_TRUNCATED', p, `block at byte ${p} of ${source} (type ${type}) declares ${len} bytes, ${remain} remain; complete data blocks in it kept`);
        if (type === EPB || type === PB || type === SPB) yield* packetBlock(p, type, buf.length, true);
        return;
      }
      const skipTo = found ? q : buf.length;
      ctx.stats.badPackets++;
      ctx.stats.skippedBytes += skipTo - p;
      report(ctx, 'SKY_PCAP_BAD_PACKET', p, found
        ? `block at byte ${p} of ${source} (type ${type}) declares length ${len}, which does not frame a block; skipped ${q - p} bytes to the next block at byte ${q}`
        : `block at byte ${p} of ${source} (type ${type}) declares length ${len}, which does not frame a block; no block follows, skipped the last ${skipTo - p} bytes`);
      p = skipTo;
      continue;
    }
    const end = p + len - 4; // body ends before the trailing length
    if (type === SHB) {
      const major = dv.getUint16(p + 12, le);
      if (major !== 1) {
        report(ctx, 'SKY_PCAP_BAD_HEADER', p, `section at byte ${p} of ${source} has pcapng version ${major}.x, not 1.x; not read further`);
        return;
      }
      inSection = true;
      ifaces = []; // interface ids are per section
    } else if (type === IDB) {
      const iface = readIdb(p, end);
      if (!LINK_NAMES.has(iface.linkType)) {
        report(ctx, 'SKY_PCAP_LINKTYPE', p, `interface ${ifaces.length} (block at byte ${p} of ${source}) has link type ${iface.linkType}; supported: ${SUPPORTED_LINKS}. Its packets are skipped`);
      }
      ifaces.push(iface);
    } else if (type === EPB || type === PB || type === SPB) {
      yield* packetBlock(p, type, end, false);
    }
    p += len;
  }

  function readIdb(q: number, end: number): Iface {
    const linkType = q + 10 <= end ? dv.getUint16(q + 8, le) : 0xffff;
    const snapLen = q + 16 <= end ? dv.getUint32(q + 12, le) : 0;
    let ticksPerS = 1e6; // default resolution: microseconds
    let offsetS = 0;
    let o = q + 16;
    while (o + 4 <= end) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      if (code === 0 || o + 4 + olen > end) break;
      if (code === 9 && olen >= 1) {
        const r = buf[o + 4]!;
        ticksPerS = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === 14 && olen >= 8) {
        offsetS = Number(dv.getBigInt64(o + 4, le));
      }
      o += 4 + ((olen + 3) & ~3);
    }
    return { linkType, snapLen, ticksPerS, ticksPerSBig: BigInt(Math.round(Math.min(ticksPerS, 2 ** 62))), offsetS };
  }

  function bad(q: number, fileCut: boolean, why: string): void {
    ctx.stats.packets++;
    ctx.stats.badPackets++;
    report(ctx, fileCut ? 'SKY_PCAP_TRUNCATED' : 'SKY_PCAP_BAD_PACKET', q, `${packetLabel(ctx, n, q, true)}: ${why}; skipped`);
  }

  function* packetBlock(q: number, type: number, end: number, fileCut: boolean): Generator<DataBlock> {
    n++;
    let ifId: number;
    let start: number;
    let capLen: number;
    let origLen: number;
    let hi = 0;
    let lo = 0;
    if (type === SPB) {
      if (q + 12 > end) return bad(q, fileCut, 'simple packet block too short for its header');
      ifId = 0;
      origLen = dv.getUint32(q + 8, le);
      start = q + 12;
      const snap = ifaces[0]?.snapLen ?? 0;
      // SPB has no captured length: it is the smallest of these three.
      capLen = Math.min(origLen, end - start, snap > 0 ? snap : Infinity);
    } else {
      if (q + 28 > end) return bad(q, fileCut, 'packet block too short for its header');
      ifId = type === EPB ? dv.getUint32(q + 8, le) : dv.getUint16(q + 8, le);
      hi = dv.getUint32(q + 12, le);
      lo = dv.getUint32(q + 16, le);
      capLen = dv.getUint32(q + 20, le);
      origLen = dv.getUint32(q + 24, le);
      start = q + 28;
      if (start + capLen > end) {
        if (!fileCut) return bad(q, fileCut, `captured length ${capLen} runs past the block body (${end - start} bytes)`);
        capLen = end - start;
      }
    }
    const iface = ifaces[ifId];
    if (iface === undefined) return bad(q, fileCut, `interface ${ifId} is not described by any interface block in this section`);
    if (!LINK_NAMES.has(iface.linkType)) {
      ctx.stats.packets++;
      ctx.stats.unsupportedLinkPackets++;
      return;
    }
    const u = udpPayload(ctx, n, q, true, start, capLen, origLen, iface.linkType, fileCut);
    if (u) yield* splitBlocks(buf.subarray(u.start, u.end), source, u.start, type === SPB ? null : timeOf(iface, hi, lo), ctx.onError, ctx.split);
  }
}

/**
 * pcap (both byte orders, micro and nanosecond) and pcapng (SHB/IDB/EPB/SPB,
 * both byte orders, per-interface link type and timestamp resolution):
 * extract UDP payloads (IPv4 incl. options, IPv6; link types Ethernet incl.
 * 802.1Q VLAN, Linux cooked SLL and SLL2, raw IP, BSD loopback/null). Each
 * payload may hold several data blocks -> splitBlocks. Non-UDP packets are
 * skipped silently (counted); IP fragments are counted and skipped. Corrupt
 * records -> coded error with offset and go on when the next record can be
 * found.
 *
 * Block offsets are positions in `buf` (the capture file). SPB packets carry
 * no timestamp, so their blocks have receivedS null.
 */
export function* readCapture(
  buf: Uint8Array,
  source: string,
  onError: (e: SkyError) => void,
  stats: CaptureStats = newCaptureStats(),
): Generator<DataBlock> {
  const ctx: Ctx = { buf, source, onError, stats, split: { stats } };
  const format = captureFormat(buf);
  if (format === 'pcap') yield* readPcap(ctx);
  else if (format === 'pcapng') yield* readPcapng(ctx);
  else report(ctx, 'SKY_PCAP_BAD_HEADER', 0, `${source} starts with neither a pcap nor a pcapng magic number; not read`);
}
