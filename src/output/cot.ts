// Cursor on Target (CoT) output for TAK: each system track of a partner's
// picture as a CoT event, streamed over TCP or TLS to a TAK server, one feed
// per receiving partner. A feed sends only the frames of the audience its
// partner sees now, so releasability holds on this output as on the screen.

import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Bus } from '../core/bus.ts';
import { SkyError } from '../core/errors.ts';
import type { SystemTrack, TrackFrame } from '../core/types.ts';

/** How long a TAK client keeps showing a track after its last event, s. */
export const STALE_AFTER_S = 15;

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => xmlEscapes[c]!);
}

function iso(timeS: number): string {
  return new Date(Math.round(timeS * 1000)).toISOString();
}

/**
 * CoT type of an air track (MIL-STD-2525 derived "a-<affiliation>-A"):
 * a track that answers with a Mode S address or a Mode 3/A code is a
 * cooperative aircraft, "n" (neutral) civil fixed wing (a-n-A-C-F); one
 * without is "u" (unknown) air; a tentative one "p" (pending). skyfuse
 * makes no friend/hostile judgement.
 */
export function cotType(t: SystemTrack): string {
  if (t.status === 'tentative') return 'a-p-A';
  return t.icao24 !== null || t.mode3a !== null ? 'a-n-A-C-F' : 'a-u-A';
}

/**
 * One CoT event for a track. uid is stable per track and source system;
 * point hae is the height above the WGS-84 ellipsoid as CoT defines it
 * (9999999 when unknown, the CoT convention); ce is the radial RMS error,
 * sigma * sqrt(2) for our per-axis sigma; course in degrees true, speed m/s.
 */
export function cotEvent(t: SystemTrack, uidPrefix: string): string {
  const course = ((Math.atan2(t.velEastMps, t.velNorthMps) * 180) / Math.PI + 360) % 360;
  const speed = Math.hypot(t.velEastMps, t.velNorthMps);
  const name = t.callsign ?? (t.mode3a !== null ? `A${t.mode3a}` : t.icao24 ?? t.id);
  const remarks = [
    t.icao24 !== null ? `Mode S ${t.icao24}` : null,
    t.mode3a !== null ? `Mode 3/A ${t.mode3a}` : null,
    t.altM !== null ? `FL${Math.round(t.altM / 30.48)}` : null,
    t.status,
    t.sensors.length ? `sensors ${t.sensors.join(' ')}` : null,
  ].filter((x) => x !== null).join('; ');
  return (
    `<event version="2.0" uid="${xml(`${uidPrefix}.${t.id}`)}" type="${cotType(t)}" how="m-g" ` +
    `time="${iso(t.timeS)}" start="${iso(t.timeS)}" stale="${iso(t.timeS + STALE_AFTER_S)}">` +
    `<point lat="${t.latDeg.toFixed(7)}" lon="${t.lonDeg.toFixed(7)}" hae="${t.altM === null ? 9999999 : t.altM.toFixed(1)}" ` +
    `ce="${(t.sigmaM * Math.SQRT2).toFixed(1)}" le="${t.altM === null ? 9999999 : 50}"/>` +
    `<detail><contact callsign="${xml(name)}"/><track course="${course.toFixed(1)}" speed="${speed.toFixed(1)}"/>` +
    `<remarks>${xml(remarks)}</remarks></detail></event>`
  );
}

/**
 * A TAK force-delete event (type t-x-d-d with <__forcedelete/>): TAK
 * clients drop the item `uid` at once instead of waiting for it to go stale.
 * Sent when a feed's picture is replaced, so nothing of the old picture
 * lingers on the partner's screens.
 */
export function cotForceDelete(uid: string, timeS: number): string {
  const u = xml(uid);
  return (
    `<event version="2.0" uid="${u}" type="t-x-d-d" how="m-g" time="${iso(timeS)}" start="${iso(timeS)}" stale="${iso(timeS + 20)}">` +
    `<point lat="0.0" lon="0.0" hae="0.0" ce="9999999.0" le="9999999.0"/>` +
    `<detail><link uid="${u}" type="none" relation="none"/><__forcedelete/></detail></event>`
  );
}

export interface CotFeedOptions {
  readonly host: string;
  readonly port: number;
  /** TLS to the TAK server (its CA, and this client's certificate and key). */
  readonly tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized'>;
  /** The audience whose frames this feed may send, asked at every frame (membership changes). */
  readonly audienceKey: () => string | undefined;
  /** uid prefix: names this skyfuse and the receiving partner. */
  readonly uidPrefix: string;
  /** First wait before reconnecting, s (default 1); doubles after each failure up to maxReconnectS. */
  readonly reconnectS?: number;
  /** Longest wait between reconnection attempts, s (default 30). */
  readonly maxReconnectS?: number;
  /** Bytes queued in the socket above which whole frames are dropped (default 4 MiB): a slow TAK server never grows our memory. */
  readonly maxBufferedBytes?: number;
  /**
   * Seconds a connection must stay up to count as a success (default 5): a
   * TLS 1.3 server that refuses our client certificate closes the
   * connection just after the handshake, which is a failure, not a success.
   */
  readonly stableS?: number;
  readonly onError?: (e: SkyError) => void;
  /** Called when a connection has stayed up `stableS` (the server took us). */
  readonly onConnect?: () => void;
}

/**
 * Streams CoT events to one TAK server for one partner. Reconnects after a
 * failure with exponential backoff; frames while disconnected are dropped
 * (tracks go stale and come back on the next frame after reconnection, as
 * TAK expects). When the partner's audience changes, the uids of the old
 * picture are force-deleted before the new picture is sent.
 */
export class CotFeed {
  private socket: Socket | null = null;
  private connected = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private readonly unsub: () => void;
  private backoffS: number;
  private audience: string | undefined;
  /** uids of the current audience's picture not yet stale on the TAK side -> data time last sent (for force-delete when it changes). */
  private readonly sentUids = new Map<string, number>();
  readonly stats = { frames: 0, events: 0, deletes: 0, bytes: 0, dropped: 0, connects: 0, failures: 0 };

  constructor(bus: Bus, private readonly o: CotFeedOptions) {
    this.backoffS = o.reconnectS ?? 1;
    this.unsub = bus.subscribe('tracks', (f) => this.onFrame(f));
    this.connect();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  private connect(): void {
    if (this.closed) return;
    let connectedAtMs: number | null = null;
    let stable = false;
    let errored = false;
    const onConnect = () => {
      this.connected = true;
      this.stats.connects++;
      connectedAtMs = Date.now();
      this.stableTimer = setTimeout(() => {
        stable = true;
        this.backoffS = this.o.reconnectS ?? 1;
        this.o.onConnect?.();
      }, (this.o.stableS ?? 5) * 1000);
    };
    const s = this.o.tls
      ? tlsConnect({ host: this.o.host, port: this.o.port, ...this.o.tls }, onConnect)
      : tcpConnect({ host: this.o.host, port: this.o.port }, onConnect);
    this.socket = s;
    s.setNoDelay(true);
    s.on('error', (err) => {
      if (this.closed) return;
      errored = true;
      this.stats.failures++;
      this.o.onError?.(new SkyError('SKY_OUTPUT_COT', `CoT feed to ${this.o.host}:${this.o.port}: ${err.message}; retrying in ${this.backoffS} s`));
    });
    // The TAK server sends pings and its own events; they are not ours to read.
    s.on('data', () => {});
    s.on('close', () => {
      this.connected = false;
      if (this.stableTimer) clearTimeout(this.stableTimer);
      if (this.socket === s) this.socket = null;
      if (this.closed) return;
      if (connectedAtMs !== null && !stable && !errored) {
        this.stats.failures++;
        this.o.onError?.(new SkyError('SKY_OUTPUT_COT',
          `CoT feed to ${this.o.host}:${this.o.port}: the server closed the connection ${Date.now() - connectedAtMs} ms after it opened (a TAK server does this when it refuses our client certificate); retrying in ${this.backoffS} s`));
      }
      const waitS = this.backoffS;
      this.backoffS = Math.min(this.backoffS * 2, this.o.maxReconnectS ?? 30);
      this.timer = setTimeout(() => this.connect(), waitS * 1000);
    });
  }

  private onFrame(f: TrackFrame): void {
    if (this.closed) return;
    const key = this.o.audienceKey();
    if (key === undefined || f.audience !== key) return;
    if (!this.connected || !this.socket) {
      this.stats.dropped++;
      return;
    }
    if (this.socket.writableLength > (this.o.maxBufferedBytes ?? 4 << 20)) {
      this.stats.dropped++;
      this.o.onError?.(new SkyError('SKY_OUTPUT_BEHIND', `CoT feed to ${this.o.host}:${this.o.port} is behind (${this.socket.writableLength} bytes queued); frame at t=${f.timeS} dropped`));
      return;
    }
    let out = '';
    if (this.audience !== undefined && key !== this.audience) {
      // Another picture (a membership or policy change): its track ids are
      // not the old picture's, and the old picture's tracks must not stay up.
      for (const [uid, lastS] of this.sentUids) {
        if (f.timeS - lastS >= STALE_AFTER_S) continue;
        out += cotForceDelete(uid, f.timeS);
        this.stats.deletes++;
      }
      this.sentUids.clear();
    } else {
      for (const [uid, lastS] of this.sentUids) if (f.timeS - lastS >= STALE_AFTER_S) this.sentUids.delete(uid);
    }
    this.audience = key;
    this.stats.frames++;
    for (const t of f.tracks) {
      if (t.status === 'tentative') continue;
      out += cotEvent(t, this.o.uidPrefix);
      this.sentUids.set(`${this.o.uidPrefix}.${t.id}`, f.timeS);
      this.stats.events++;
    }
    if (out) {
      this.stats.bytes += Buffer.byteLength(out);
      this.socket.write(out);
    }
  }

  /**
   * Stops the feed. By default what is written is flushed first (for at most
   * two seconds); `immediately` cuts the connection at once, sending nothing
   * more (a partner suspended or withdrawn).
   */
  async close(opts: { immediately?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsub();
    if (this.timer) clearTimeout(this.timer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    const s = this.socket;
    this.socket = null;
    this.connected = false;
    if (!s) return;
    if (opts.immediately === true || s.destroyed) {
      s.destroy();
      return;
    }
    await new Promise<void>((res) => {
      const t = setTimeout(() => {
        s.destroy();
        res();
      }, 2000);
      s.end(() => {
        clearTimeout(t);
        res();
      });
    });
  }
}
