// What the WebSocket carries to the operations-room page, and the conversion
// from pipeline records. Only the fields the page draws travel, rounded to
// what a display can show (1e-5 deg is about 1 m; 0.1 m/s), so 500 tracks at
// 1 Hz stay well under 100 kB/s per client. Degrees appear here because this
// is an edge (conventions: radians inside, degrees at the edges).
// The page imports these types only (`import type`), never code.

import type { AlertView } from '../alert/index.ts';
import type { SkyEvent, SystemTrack, TrackFrame } from '../core/types.ts';

/** Status letter: T tentative, C confirmed, K coasting. */
export type WireStatus = 'T' | 'C' | 'K';

export interface WireTrack {
  readonly id: string;
  readonly st: WireStatus;
  readonly lat: number;
  readonly lon: number;
  /** Height above the ellipsoid in metres (whole), null when unknown. */
  readonly alt: number | null;
  /** Ground velocity east / north, m/s. */
  readonly vE: number;
  readonly vN: number;
  readonly cs: string | null;
  readonly m3a: string | null;
  readonly icao: string | null;
  readonly sen: readonly string[];
  readonly par: readonly string[];
}

/** Events the page shows; radar 'sector' crossings are not sent (nothing draws them). */
export type WireEvent =
  | { readonly kind: 'north-marker'; readonly sensorId: string; readonly t: number }
  | { readonly kind: 'bad-input'; readonly code: string; readonly message: string; readonly t: number }
  | { readonly kind: 'unknown-sensor'; readonly sac: number; readonly sic: number; readonly t: number };

/** An alert as the session's partner sees it (REST and WebSocket alike). */
export interface WireAlert {
  readonly id: string;
  readonly kind: 'emergency' | 'unknown-aircraft' | 'track-lost' | 'sensor-outage';
  readonly severity: 'emergency' | 'warning';
  readonly state: 'active' | 'acknowledged' | 'cleared';
  /** Raised at (data time, s since epoch). */
  readonly t: number;
  readonly trackId: string | null;
  readonly sensorId: string | null;
  readonly code: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly text: string;
  readonly clearedS: number | null;
  readonly clearedWhy: string | null;
  readonly ackBy: string | null;
  readonly ackS: number | null;
}

export type WireMessage =
  /** skyfuse.v2: this message and alerts, events and coalition are JSON text as in v1; frames are binary (wire-v2.ts). */
  | { readonly type: 'hello'; readonly protocol: 'skyfuse.v1' | 'skyfuse.v2'; readonly serverTimeS: number }
  | { readonly type: 'frame'; readonly t: number; readonly tracks: readonly WireTrack[] }
  | { readonly type: 'events'; readonly events: readonly WireEvent[] }
  /** Membership changed: the partner's picture may now come from other sensors; fetch /api/coalition again. */
  | { readonly type: 'coalition' }
  /** Every listed alert of the partner's picture (newest first), sent on connect and whenever one changes. */
  | { readonly type: 'alerts'; readonly alerts: readonly WireAlert[] };

/** The subprotocol the server selects; the token travels as a second one. */
export const WS_PROTOCOL = 'skyfuse.v1';
export const WS_TOKEN_PREFIX = 'token.';

const STATUS: Record<SystemTrack['status'], WireStatus> = { tentative: 'T', confirmed: 'C', coasting: 'K' };

const r5 = (v: number): number => Math.round(v * 1e5) / 1e5;
const r1 = (v: number): number => Math.round(v * 10) / 10;

export function toWireTrack(t: SystemTrack): WireTrack {
  return {
    id: t.id,
    st: STATUS[t.status],
    lat: r5(t.latDeg),
    lon: r5(t.lonDeg),
    alt: t.altM === null ? null : Math.round(t.altM),
    vE: r1(t.velEastMps),
    vN: r1(t.velNorthMps),
    cs: t.callsign,
    m3a: t.mode3a,
    icao: t.icao24,
    sen: t.sensors,
    par: t.partners,
  };
}

export function toWireFrame(f: TrackFrame): WireMessage {
  return { type: 'frame', t: f.timeS, tracks: f.tracks.map(toWireTrack) };
}

export function toWireAlert(a: AlertView): WireAlert {
  return {
    id: a.id, kind: a.kind, severity: a.severity, state: a.state, t: a.timeS, trackId: a.trackId, sensorId: a.sensorId, code: a.code,
    lat: a.latDeg === null ? null : r5(a.latDeg), lon: a.lonDeg === null ? null : r5(a.lonDeg), text: a.text,
    clearedS: a.clearedS, clearedWhy: a.clearedWhy, ackBy: a.ackBy, ackS: a.ackS,
  };
}

/** Null when the page has no use for the event. */
export function toWireEvent(e: SkyEvent): WireEvent | null {
  switch (e.kind) {
    case 'north-marker':
      return { kind: 'north-marker', sensorId: e.sensorId, t: e.timeS };
    case 'bad-input':
      return { kind: 'bad-input', code: e.code, message: e.message, t: e.timeS };
    case 'unknown-sensor':
      return { kind: 'unknown-sensor', sac: e.sac, sic: e.sic, t: e.timeS };
    case 'sector':
      return null;
  }
}
