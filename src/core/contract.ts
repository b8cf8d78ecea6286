// The JSON form of a system track in contract section 4 (tracks.jsonl, and
// the same fields over the API): degrees and contract names at this edge.
// `partners` is our optional extra. One function, so file and API never drift.

import type { SystemTrack } from './types.ts';

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r7 = (v: number): number => Math.round(v * 1e7) / 1e7;

export interface TrackJson {
  t: number;
  id: string;
  status: SystemTrack['status'];
  lat: number;
  lon: number;
  altM: number | null;
  vE: number;
  vN: number;
  sigmaM: number;
  icao24: string | null;
  mode3a: string | null;
  callsign: string | null;
  sensors: readonly string[];
  partners: readonly string[];
}

/** Positions to 1e-7 degree (1 cm), metres and m/s to 1 cm. */
export function trackToJson(t: SystemTrack): TrackJson {
  return {
    t: t.timeS, id: t.id, status: t.status,
    lat: r7(t.latDeg), lon: r7(t.lonDeg),
    altM: t.altM === null ? null : r2(t.altM),
    vE: r2(t.velEastMps), vN: r2(t.velNorthMps), sigmaM: r2(t.sigmaM),
    icao24: t.icao24, mode3a: t.mode3a, callsign: t.callsign,
    sensors: t.sensors, partners: t.partners,
  };
}
