// Captures written by our writer AND by independent tools (Wireshark's
// text2pcap, editcap, mergecap), read back and compared with tshark's view.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SkyError } from '../core/errors.ts';
import {
  newCaptureStats,
  readCapture,
  readPlotFile,
  writePcap,
  writePcapng,
  type CaptureStats,
  type CaptureWriteOptions,
  type DataBlock,
} from './index.ts';

const VECTORS = new URL('../../test/vectors/ingest/', import.meta.url);
const cat048 = new Uint8Array(readFileSync(new URL('cat048.raw', VECTORS)));
const cat034 = new Uint8Array(readFileSync(new URL('cat034.raw', VECTORS)));
const TMP = mkdtempSync(join(tmpdir(), 'skyfuse-capture-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function installed(bin: string): boolean {
  return spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0;
}
const SKIP_TEXT2PCAP = installed('text2pcap') ? false : 'text2pcap not installed (Debian package wireshark-common); independent-capture test skipped';
const SKIP_TSHARK = installed('tshark') ? false : 'tshark not installed (Debian package tshark); cross-check skipped';
const SKIP_EDITCAP = installed('editcap') && installed('mergecap') && !SKIP_TEXT2PCAP ? false : 'editcap/mergecap/text2pcap not installed (wireshark-common); test skipped';

let fileNo = 0;
function tmpFile(ext: string, bytes?: Uint8Array): string {
  const path = join(TMP, `f${++fileNo}${ext}`);
  if (bytes) writeFileSync(path, bytes);
  return path;
}

/** Epoch seconds as text2pcap's ISO time with `digits` fractional digits (exact, from integer parts). */
function iso(sec: number, frac: string): string {
  return `${new Date(sec * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Packets as a text2pcap hex dump (offset, 16 bytes a line), each preceded by its time. */
function text2pcap(packets: readonly { time: string; bytes: Uint8Array }[], args: readonly string[], ext: string): Uint8Array {
  const lines: string[] = [];
  for (const p of packets) {
    lines.push(p.time);
    for (let o = 0; o < p.bytes.length; o += 16) {
      lines.push(`${o.toString(16).padStart(6, '0')} ${[...p.bytes.subarray(o, o + 16)].map((v) => v.toString(16).padStart(2, '0')).join(' ')}`);
    }
    lines.push('');
  }
  const input = tmpFile('.txt');
  writeFileSync(input, lines.join('\n'));
  const out = tmpFile(ext);
  execFileSync('text2pcap', ['-q', '-t', 'ISO', ...args, input, out], { env: { ...process.env, TZ: 'UTC' }, stdio: 'pipe' });
  return new Uint8Array(readFileSync(out));
}

function tool(bin: string, args: readonly string[], input: Uint8Array, ext: string): Uint8Array {
  const inPath = tmpFile(ext, input);
  const out = tmpFile(ext);
  execFileSync(bin, [...args, inPath, out], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(out));
}

/** tshark's view of a capture: one row per frame, tab-separated fields. */
function tshark(bytes: Uint8Array, fields: readonly string[], extra: readonly string[] = []): string[][] {
  const path = tmpFile('.cap', bytes);
  const out = execFileSync('tshark', ['-r', path, ...extra, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { stdio: ['ignore', 'pipe', 'ignore'] });
  return out.toString().trim().split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

function read(buf: Uint8Array, source = 'cap'): { blocks: DataBlock[]; errors: SkyError[]; stats: CaptureStats } {
  const errors: SkyError[] = [];
  const stats = newCaptureStats();
  const blocks = [...readCapture(buf, source, (e) => errors.push(e), stats)];
  return { blocks, errors, stats };
}

/** Every block must be the bytes found at its offset in the capture file. */
function assertOffsets(buf: Uint8Array, blocks: readonly DataBlock[]): void {
  for (const b of blocks) assert.equal(hex(buf.subarray(b.offset, b.offset + b.bytes.length)), hex(b.bytes));
}

const T0 = 1714564800; // 2024-05-01T12:00:00Z
// Three datagrams: one block, two blocks, one block.
const DATAGRAMS = [
  { timeS: T0 + 0.25, payload: cat048 },
  { timeS: T0 + 1.5, payload: concat(cat034, cat048), srcPort: 1000 },
  { timeS: T0 + 2.000125, payload: cat034, dstPort: 8601 },
];
const EXPECTED_BLOCKS = [hex(cat048), hex(cat034), hex(cat048), hex(cat034)];
const EXPECTED_TIMES = [T0 + 0.25, T0 + 1.5, T0 + 1.5, T0 + 2.000125];

test('our pcap writer: Ethernet, little-endian, microseconds; blocks, times and file offsets come back', () => {
  const buf = writePcap(DATAGRAMS);
  // 24 file header + 16 record header + 14 Ethernet + 20 IPv4 + 8 UDP = 82; each datagram adds its payload + 58.
  assert.equal(buf.length, 24 + 3 * (16 + 42) + 48 + 64 + 16);
  assert.deepEqual([...buf.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]);
  const { blocks, errors, stats } = read(buf, 'w.pcap');
  assert.deepEqual(errors, []);
  assert.deepEqual(blocks.map((b) => hex(b.bytes)), EXPECTED_BLOCKS);
  assert.deepEqual(blocks.map((b) => b.receivedS), EXPECTED_TIMES);
  assert.deepEqual(blocks.map((b) => b.offset), [82, 82 + 48 + 58, 82 + 48 + 58 + 16, 82 + 48 + 58 + 64 + 58]);
  assert.equal(blocks[0]!.source, 'w.pcap');
  assertOffsets(buf, blocks);
  assert.deepEqual({ ...stats }, { packets: 3, udpDatagrams: 3, nonUdpPackets: 0, ipFragments: 0, unsupportedLinkPackets: 0, badPackets: 0, blocks: 4, skippedBytes: 0 });
});

const VARIANTS: CaptureWriteOptions[] = [];
for (const linkType of ['ethernet', 'raw'] as const)
  for (const byteOrder of ['le', 'be'] as const)
    for (const timeResolution of ['us', 'ns'] as const) VARIANTS.push({ linkType, byteOrder, timeResolution });

for (const [name, write] of [['pcap', writePcap], ['pcapng', writePcapng]] as const) {
  for (const v of VARIANTS) {
    const label = `${name} ${v.linkType} ${v.byteOrder} ${v.timeResolution}`;
    test(`our writer, ${label}: read back by us and by tshark (checksums good)`, { skip: SKIP_TSHARK }, () => {
      const buf = write(DATAGRAMS, v);
      const { blocks, errors } = read(buf);
      assert.deepEqual(errors, []);
      assert.deepEqual(blocks.map((b) => hex(b.bytes)), EXPECTED_BLOCKS);
      blocks.forEach((b, i) => assert.ok(Math.abs(b.receivedS! - EXPECTED_TIMES[i]!) < 1e-6, `time of block ${i}: ${b.receivedS}`));
      assertOffsets(buf, blocks);
      // Independent check: tshark parses the same file, and finds IPv4 and UDP checksums good (status 1).
      const rows = tshark(buf, ['frame.time_epoch', 'udp.payload', 'ip.checksum.status', 'udp.checksum.status', 'udp.srcport', 'udp.dstport'],
        ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE']);
      assert.deepEqual(rows.map((r) => [r[1], r[2], r[3], r[4], r[5]]), [
        [hex(cat048), '1', '1', '50000', '8600'],
        [hex(concat(cat034, cat048)), '1', '1', '1000', '8600'],
        [hex(cat034), '1', '1', '50000', '8601'],
      ]);
      rows.forEach((r, i) => assert.ok(Math.abs(Number(r[0]) - DATAGRAMS[i]!.timeS) < 1e-6, `tshark time of frame ${i}: ${r[0]}`));
    });
  }
}

test('our writer: zero UDP checksum when asked, multicast destination MAC', { skip: SKIP_TSHARK }, () => {
  const buf = writePcap(DATAGRAMS.slice(0, 1), { udpChecksum: false, dstAddress: '239.255.10.20' });
  const rows = tshark(buf, ['udp.checksum', 'eth.dst', 'ip.dst', 'ip.checksum.status'], ['-o', 'ip.check_checksum:TRUE']);
  assert.deepEqual(rows, [['0x0000', '01:00:5e:7f:0a:14', '239.255.10.20', '1']]);
});

// Independent captures -------------------------------------------------------------

const T2P_PACKETS = [
  { time: iso(T0, '250000'), bytes: cat048 },
  { time: iso(T0 + 1, '500000'), bytes: concat(cat034, cat048) },
  { time: iso(T0 + 2, '000125'), bytes: cat034 },
];

for (const [label, args] of [
  ['pcap, Ethernet IPv4', ['-F', 'pcap', '-u', '1000,8600']],
  ['pcapng (nanosecond if_tsresol), Ethernet IPv4', ['-u', '1000,8600']],
  ['pcap, Ethernet IPv6', ['-F', 'pcap', '-6', '2001:db8::1,2001:db8::2', '-u', '1000,8600']],
  ['pcapng, raw IPv4 (link type 101)', ['-l', '101', '-u', '1000,8600']],
  ['pcap, raw IPv6 (link type 101)', ['-F', 'pcap', '-l', '101', '-6', '2001:db8::1,2001:db8::2', '-u', '1000,8600']],
] as const) {
  test(`text2pcap ${label}: payloads and timestamps`, { skip: SKIP_TEXT2PCAP }, () => {
    const buf = text2pcap(T2P_PACKETS, args, '.cap');
    const { blocks, errors, stats } = read(buf);
    assert.deepEqual(errors, []);
    assert.deepEqual(blocks.map((b) => hex(b.bytes)), EXPECTED_BLOCKS);
    // text2pcap stores the ISO times exactly (micro- or nanosecond ticks): equal to the last double bit.
    assert.deepEqual(blocks.map((b) => b.receivedS), EXPECTED_TIMES);
    assertOffsets(buf, blocks);
    assert.equal(stats.udpDatagrams, 3);
  });
}

test('editcap nanosecond pcap (magic a1b23c4d) from a text2pcap capture', { skip: SKIP_EDITCAP }, () => {
  const packets = [{ time: iso(T0, '123456789'), bytes: cat048 }];
  const buf = tool('editcap', ['-F', 'nsecpcap'], text2pcap(packets, ['-u', '1000,8600'], '.pcapng'), '.pcap');
  assert.deepEqual([...buf.subarray(0, 4)], [0x4d, 0x3c, 0xb2, 0xa1]);
  const { blocks, errors } = read(buf);
  assert.deepEqual(errors, []);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.receivedS, T0 + 123456789 / 1e9);
});

test('mergecap of UDP, TCP and ARP captures: non-UDP packets skipped silently and counted', { skip: SKIP_EDITCAP }, () => {
  const udp = text2pcap(T2P_PACKETS, ['-F', 'pcap', '-u', '1000,8600'], '.pcap');
  // A TCP segment carrying an ASTERIX-looking payload must not be read as a plot.
  const tcp = text2pcap([{ time: iso(T0, '700000'), bytes: cat048 }], ['-F', 'pcap', '-T', '1000,8600'], '.pcap');
  const arp = text2pcap([{ time: iso(T0 + 1, '800000'), bytes: Uint8Array.from({ length: 28 }, (_, i) => i) }], ['-F', 'pcap', '-e', '0x806'], '.pcap');
  const merged = [udp, tcp, arp].map((b) => tmpFile('.pcap', b));
  const out = tmpFile('.pcap');
  execFileSync('mergecap', ['-F', 'pcap', '-w', out, ...merged], { stdio: 'pipe' });
  const { blocks, errors, stats } = read(new Uint8Array(readFileSync(out)));
  assert.deepEqual(errors, []);
  assert.deepEqual(blocks.map((b) => hex(b.bytes)), EXPECTED_BLOCKS);
  assert.equal(stats.packets, 5);
  assert.equal(stats.nonUdpPackets, 2);
  assert.equal(stats.udpDatagrams, 3);
});

test('editcap -s 60 (snaplen cut): each cut packet reported, complete blocks kept', { skip: SKIP_EDITCAP }, () => {
  const full = text2pcap(T2P_PACKETS, ['-F', 'pcap', '-u', '1000,8600'], '.pcap');
  const buf = tool('editcap', ['-F', 'pcap', '-s', '60'], full, '.pcap');
  // 60 bytes = 14 Ethernet + 20 IPv4 + 8 UDP + 18 payload bytes: the 16-byte CAT034 fits, CAT048 does not.
  const { blocks, errors } = read(buf);
  assert.deepEqual(blocks.map((b) => hex(b.bytes)), [hex(cat034), hex(cat034)]);
  assert.deepEqual(errors.map((e) => e.code), ['SKY_PCAP_TRUNCATED', 'SKY_ASTERIX_TRUNCATED', 'SKY_PCAP_TRUNCATED', 'SKY_ASTERIX_TRUNCATED']);
  assert.equal(errors[0]!.offset, 24);
  assert.equal(errors[0]!.message, 'packet 1 at byte 24 of cap: captured 60 of 90 bytes, UDP payload cut after 18 of 48 bytes; complete data blocks kept');
  assert.equal(errors[1]!.offset, 24 + 16 + 42);
  assert.equal(errors[1]!.message, 'data block at byte 82 of cap declares 48 bytes, 18 remain; dropped');
});

for (const [label, make, recordHeader] of [
  ['text2pcap pcap', () => text2pcap(T2P_PACKETS, ['-F', 'pcap', '-u', '1000,8600'], '.pcap'), 16],
  ['our pcapng', () => writePcapng(DATAGRAMS.slice(0, 2)), 28],
] as const) {
  test(`${label} with a truncated last packet: reported at its record, earlier packets and complete blocks kept`, { skip: label.startsWith('text2pcap') ? SKIP_TEXT2PCAP : false }, () => {
    const whole = make();
    const { blocks: all } = read(whole);
    // Cut inside the last datagram carrying [CAT034, CAT048]: lose 10 bytes of its CAT048.
    const twoBlock = all.findIndex((b, i) => i > 0 && b.receivedS === all[i - 1]!.receivedS) - 1;
    const cat048At = all[twoBlock + 1]!.offset;
    const buf = whole.subarray(0, cat048At + 38);
    const { blocks, errors } = read(buf);
    assert.deepEqual(blocks.map((b) => hex(b.bytes)), all.slice(0, twoBlock + 1).map((b) => hex(b.bytes)));
    assert.deepEqual(errors.map((e) => e.code), ['SKY_PCAP_TRUNCATED', 'SKY_ASTERIX_TRUNCATED']);
    const recordAt = all[twoBlock]!.offset - recordHeader - 42;
    assert.equal(errors[0]!.offset, recordAt);
    assert.equal(errors[1]!.offset, cat048At);
    assert.match(errors[1]!.message, /declares 48 bytes, 38 remain/);
  });
}

function tenDatagrams(): { timeS: number; payload: Uint8Array }[] {
  return Array.from({ length: 10 }, (_, k) => ({ timeS: T0 + k * 0.1, payload: k % 2 ? cat034 : cat048 }));
}

test('pcap with a corrupted record length in the middle: error at its offset, the rest recovered', () => {
  const buf = writePcap(tenDatagrams());
  const { blocks: all } = read(buf);
  const record5 = all[5]!.offset - 16 - 42;
  new DataView(buf.buffer).setUint32(record5 + 8, 0x00ffffff, true);
  const { blocks, errors, stats } = read(buf);
  assert.equal(blocks.length, 9);
  assert.deepEqual(blocks.map((b) => b.offset), all.filter((_, i) => i !== 5).map((b) => b.offset));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'SKY_PCAP_BAD_PACKET');
  assert.equal(errors[0]!.offset, record5);
  assert.equal(errors[0]!.message,
    `packet 6 at byte ${record5} of cap declares 16777215 captured bytes (limit 262144); skipped ${16 + 42 + 16} bytes to the next plausible record at byte ${record5 + 16 + 42 + 16}`);
  assert.equal(stats.badPackets, 1);
});

test('pcapng with a corrupted block length in the middle: error at its offset, the rest recovered', () => {
  const buf = writePcapng(tenDatagrams());
  const { blocks: all } = read(buf);
  const epb5 = all[5]!.offset - 28 - 42;
  new DataView(buf.buffer).setUint32(epb5 + 4, 36, true); // a multiple of 4 that frames nothing
  const { blocks, errors } = read(buf);
  assert.equal(blocks.length, 9);
  assert.deepEqual(blocks.map((b) => b.offset), all.filter((_, i) => i !== 5).map((b) => b.offset));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'SKY_PCAP_BAD_PACKET');
  assert.equal(errors[0]!.offset, epb5);
});

test('IPv4 fragments are counted and skipped', () => {
  const buf = writePcap(tenDatagrams(), { linkType: 'raw' });
  const dv = new DataView(buf.buffer);
  const { blocks: all } = read(buf);
  const ip = (k: number): number => all[k]!.offset - 28;
  dv.setUint16(ip(2) + 6, 0x2000); // more fragments
  dv.setUint16(ip(3) + 6, 0x0010); // fragment offset 16 * 8 bytes
  const { blocks, errors, stats } = read(buf);
  assert.deepEqual(errors, []);
  assert.equal(blocks.length, 8);
  assert.equal(stats.ipFragments, 2);
});

// Hand-built link layers, checked by tshark first so the frames themselves are right.

function ipv4Udp(payload: Uint8Array, options: readonly number[] = []): Uint8Array {
  const ihl = 20 + options.length;
  const out = new Uint8Array(ihl + 8 + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x40 | (ihl / 4);
  dv.setUint16(2, out.length);
  out[8] = 64;
  out[9] = 17;
  out.set([192, 0, 2, 1, 127, 0, 0, 1], 12);
  out.set(options, 20);
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += dv.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(10, ~sum & 0xffff);
  dv.setUint16(ihl, 1000);
  dv.setUint16(ihl + 2, 8600);
  dv.setUint16(ihl + 4, 8 + payload.length);
  out.set(payload, ihl + 8);
  return out;
}

function ipv6Udp(payload: Uint8Array, hopByHop = false): Uint8Array {
  const ext = hopByHop ? 8 : 0;
  const out = new Uint8Array(40 + ext + 8 + payload.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x60;
  dv.setUint16(4, ext + 8 + payload.length);
  out[6] = hopByHop ? 0 : 17;
  out[7] = 64;
  out[23] = 1; // ::1 style source
  out[39] = 2;
  if (hopByHop) out.set([17, 0, 1, 4, 0, 0, 0, 0], 40); // next = UDP, length 8, PadN
  const u = 40 + ext;
  dv.setUint16(u, 1000);
  dv.setUint16(u + 2, 8600);
  dv.setUint16(u + 4, 8 + payload.length);
  out.set(payload, u + 8);
  return out;
}

const MACS = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1];
const PAYLOAD = concat(cat034, cat048);
const LINKS: readonly { name: string; linkType: number; frame: Uint8Array }[] = [
  { name: 'Ethernet + 802.1Q VLAN', linkType: 1, frame: concat(Uint8Array.from([...MACS, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00]), ipv4Udp(PAYLOAD)) },
  { name: 'Ethernet + 802.1ad + 802.1Q (QinQ)', linkType: 1, frame: concat(Uint8Array.from([...MACS, 0x88, 0xa8, 0x00, 0x05, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00]), ipv4Udp(PAYLOAD)) },
  { name: 'Ethernet + IPv4 with options', linkType: 1, frame: concat(Uint8Array.from([...MACS, 0x08, 0x00]), ipv4Udp(PAYLOAD, [0x01, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01, 0x00])) },
  { name: 'Ethernet + IPv6 hop-by-hop', linkType: 1, frame: concat(Uint8Array.from([...MACS, 0x86, 0xdd]), ipv6Udp(PAYLOAD, true)) },
  { name: 'Linux cooked SLL', linkType: 113, frame: concat(Uint8Array.from([0, 0, 0, 1, 0, 6, ...MACS.slice(0, 6), 0, 0, 0x08, 0x00]), ipv4Udp(PAYLOAD)) },
  { name: 'Linux cooked SLL2', linkType: 276, frame: concat(Uint8Array.from([0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, ...MACS.slice(0, 6), 0, 0]), ipv6Udp(PAYLOAD)) },
  { name: 'BSD loopback (NULL), AF_INET little-endian', linkType: 0, frame: concat(Uint8Array.from([2, 0, 0, 0]), ipv4Udp(PAYLOAD)) },
  { name: 'BSD loopback (NULL), AF_INET6 = 30 big-endian', linkType: 0, frame: concat(Uint8Array.from([0, 0, 0, 30]), ipv6Udp(PAYLOAD)) },
  { name: 'OpenBSD loopback (LOOP), AF_INET', linkType: 108, frame: concat(Uint8Array.from([0, 0, 0, 2]), ipv4Udp(PAYLOAD)) },
];

for (const link of LINKS) {
  test(`link type ${link.linkType}, ${link.name}: text2pcap container, tshark agrees on the payload`, { skip: SKIP_TEXT2PCAP || SKIP_TSHARK }, () => {
    const buf = text2pcap([{ time: iso(T0, '000001'), bytes: link.frame }], ['-F', 'pcap', '-l', String(link.linkType)], '.pcap');
    assert.deepEqual(tshark(buf, ['udp.payload']), [[hex(PAYLOAD)]]);
    const { blocks, errors } = read(buf);
    assert.deepEqual(errors, []);
    assert.deepEqual(blocks.map((b) => hex(b.bytes)), [hex(cat034), hex(cat048)]);
    assert.deepEqual(blocks.map((b) => b.receivedS), [T0 + 1e-6, T0 + 1e-6]);
    assertOffsets(buf, blocks);
  });
}

// A hand-built pcapng: two sections with different byte orders, two
// interfaces with different link types and resolutions, EPB, SPB and the
// obsolete PB, plus an unknown block type that must be skipped.
function pcapngBlock(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const len = 12 + ((body.length + 3) & ~3);
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, len, le);
  out.set(body, 8);
  dv.setUint32(len - 4, len, le);
  return out;
}
function bytes(le: boolean, fields: readonly [number, 1 | 2 | 4][], tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(fields.reduce((a, [, n]) => a + n, 0) + tail.length);
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const [v, n] of fields) {
    if (n === 1) dv.setUint8(o, v);
    else if (n === 2) dv.setUint16(o, v, le);
    else dv.setUint32(o, v, le);
    o += n;
  }
  out.set(tail, o);
  return out;
}
function handPcapng(): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const le of [true, false]) {
    parts.push(pcapngBlock(0x0a0d0d0a, bytes(le, [[0x1a2b3c4d, 4], [1, 2], [0, 2], [0xffffffff, 4], [0xffffffff, 4]]), le));
    // Interface 0: Ethernet, default microseconds. Interface 1: raw IP, if_tsresol 0x8a = 2^-10 s, if_tsoffset 1000 s.
    parts.push(pcapngBlock(1, bytes(le, [[1, 2], [0, 2], [0, 4]]), le));
    parts.push(pcapngBlock(1, bytes(le, [[101, 2], [0, 2], [0, 4], [9, 2], [1, 2], [0x8a, 1], [0, 1], [0, 2], [14, 2], [8, 2]],
      concat(le ? Uint8Array.of(0xe8, 3, 0, 0, 0, 0, 0, 0) : Uint8Array.of(0, 0, 0, 0, 0, 0, 3, 0xe8), new Uint8Array(4))), le));
    const eth = concat(Uint8Array.from([...MACS, 0x08, 0x00]), ipv4Udp(cat048));
    const raw = ipv4Udp(cat034);
    const usTicks = T0 * 1e6 + 250000; // < 2^53: exact
    parts.push(pcapngBlock(6, bytes(le, [[0, 4], [Math.floor(usTicks / 2 ** 32), 4], [usTicks % 2 ** 32, 4], [eth.length, 4], [eth.length, 4]], eth), le));
    const binTicks = (T0 - 1000) * 1024 + 512; // 2^-10 s ticks; +1000 s from if_tsoffset
    parts.push(pcapngBlock(6, bytes(le, [[1, 4], [Math.floor(binTicks / 2 ** 32), 4], [binTicks % 2 ** 32, 4], [raw.length, 4], [raw.length, 4]], raw), le));
    parts.push(pcapngBlock(0x0bad, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), le)); // custom block: ignored
    parts.push(pcapngBlock(3, bytes(le, [[eth.length, 4]], eth), le)); // SPB: interface 0, no timestamp
    parts.push(pcapngBlock(2, bytes(le, [[1, 2], [0, 2], [Math.floor(binTicks / 2 ** 32), 4], [binTicks % 2 ** 32, 4], [raw.length, 4], [raw.length, 4]], raw), le));
  }
  return concat(...parts);
}

test('hand-built pcapng: two sections (LE then BE), per-interface link type, resolution and offset, EPB/SPB/PB', { skip: SKIP_TSHARK }, () => {
  const buf = handPcapng();
  // tshark reads the same file and finds the same four payloads per section.
  assert.deepEqual(tshark(buf, ['udp.payload']).map((r) => r[0]), [hex(cat048), hex(cat034), hex(cat048), hex(cat034), hex(cat048), hex(cat034), hex(cat048), hex(cat034)]);
  const { blocks, errors, stats } = read(buf);
  assert.deepEqual(errors, []);
  assert.deepEqual(blocks.map((b) => [hex(b.bytes), b.receivedS]), [0, 1].flatMap(() => [
    [hex(cat048), T0 + 0.25], [hex(cat034), T0 + 0.5], [hex(cat048), null], [hex(cat034), T0 + 0.5],
  ]));
  assertOffsets(buf, blocks);
  assert.equal(stats.packets, 8);
});

test('bad headers, unsupported link types and readPlotFile detection by magic', () => {
  const junk = read(Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4, 0, 9, 0, 0]));
  assert.deepEqual(junk.errors.map((e) => e.toLine()), ['SKY_PCAP_BAD_HEADER: cap is 8 bytes, a pcap file header needs 24']);
  const notCapture = read(cat048);
  assert.equal(notCapture.errors[0]!.code, 'SKY_PCAP_BAD_HEADER');

  const wifi = writePcap(DATAGRAMS);
  new DataView(wifi.buffer).setUint32(20, 105, true); // IEEE 802.11
  const w = read(wifi);
  assert.deepEqual(w.blocks, []);
  assert.deepEqual(w.errors.map((e) => e.code), ['SKY_PCAP_LINKTYPE']);
  assert.equal(w.stats.unsupportedLinkPackets, 3);

  // Names do not matter: a pcap called .bin and a pcapng called .ast are read as captures.
  for (const [ext, buf] of [['.bin', writePcap(DATAGRAMS)], ['.ast', writePcapng(DATAGRAMS, { byteOrder: 'be' })]] as const) {
    const path = tmpFile(ext, buf);
    const got = [...readPlotFile(path, (e) => assert.fail(e.toLine()))];
    assert.deepEqual(got.map((b) => hex(b.bytes)), EXPECTED_BLOCKS);
    assert.equal(got[0]!.source, path);
  }
});
