// Track frames for the output tests (not used by the pipeline): statuses,
// with and without identities, signs and edge values a person can check.

import type { SystemTrack, TrackFrame } from '../core/types.ts';

/** 2025-11-23 14:32:10.25 UTC: time of day 52330.25 s. */
export const T0 = Date.UTC(2025, 10, 23, 14, 32, 10, 250) / 1000;

export function track(p: Partial<SystemTrack> & { id: string }): SystemTrack {
  return {
    kind: 'track',
    timeS: T0,
    status: 'confirmed',
    latDeg: 30.1,
    lonDeg: 31.4,
    altM: 10668,
    velEastMps: 231,
    velNorthMps: -12.5,
    sigmaM: 85,
    icao24: null,
    mode3a: null,
    callsign: null,
    sensors: ['EGY-CAI-1', 'JOR-AMM-1'],
    partners: ['EGY', 'JOR'],
    ...p,
  };
}

export function frameOf(tracks: readonly SystemTrack[], timeS = T0): TrackFrame {
  return { kind: 'frame', timeS, tracks: tracks.map((t) => ({ ...t, timeS })) };
}

/** Four tracks: confirmed multisensor with all identities, tentative monosensor, coasting, southern/western with no identity. */
export const sampleTracks: readonly SystemTrack[] = [
  track({ id: 'T1', icao24: '4840d6', mode3a: '7000', callsign: 'KLM1023' }),
  track({ id: 'T2', status: 'tentative', latDeg: 29.87654321, lonDeg: 32.123456, altM: 3048, velEastMps: -101.3, velNorthMps: 55.55, sigmaM: 412.7, mode3a: '1234', sensors: ['EGY-CAI-1'], partners: ['EGY'] }),
  track({ id: 'T3', status: 'coasting', latDeg: 31.5, lonDeg: 30.25, altM: null, velEastMps: 0.1, velNorthMps: -250.05, sigmaM: 1500, icao24: 'a1b2c3', callsign: 'MSR777', sensors: [], partners: [] }),
  track({ id: 'T4', latDeg: -12.345678, lonDeg: -77.0001, altM: -30, velEastMps: -8, velNorthMps: -9.9, sigmaM: 12.34 }),
];
