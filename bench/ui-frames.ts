// The synthetic picture of the operations-room benches (bench/ui.ts in the
// browser): frames shaped like the tracker's:
// every track moves, velocities jitter by a few tenths of m/s, one in ten
// climbs, and the "sensors that updated it in the last period" change as
// radars rotate.

import type { Coalition, SystemTrack, TrackFrame } from '../src/core/types.ts';
import { Membership } from '../src/serve/index.ts';

const DEG = Math.PI / 180;
const T0 = 1763900000;

const RADARS = Array.from({ length: 12 }, (_, r) => ({ id: `R${r + 1}`, partner: ['EGY', 'CYP', 'JOR'][r % 3]!, rotationS: 4 + (r % 3) }));
const coalition: Coalition = {
  partners: [
    { id: 'EGY', name: 'Egypt', status: 'member', releases: null },
    { id: 'CYP', name: 'Cyprus', status: 'member', releases: null },
    { id: 'JOR', name: 'Jordan', status: 'member', releases: null },
  ],
  sensors: RADARS.map((r, i) => ({
    id: r.id, partnerId: r.partner, kind: 'psr+ssr' as const, sac: 10 + i, sic: 1, latRad: (27 + (i % 4) * 3) * DEG, lonRad: (28 + Math.floor(i / 4) * 5) * DEG,
    altM: 100, rotationS: r.rotationS, maxRangeM: 350000, psrMaxRangeM: 150000, sigmaRangeM: 60, sigmaAzimuthRad: 0.07 * DEG,
  })),
};
export const benchMembership = new Membership(coalition);
const AUDIENCE = benchMembership.audienceOf('EGY')!.key;

/** Deterministic pseudo-random in [0, 1) from two integers. */
const noise = (a: number, b: number) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

export function benchFrame(k: number, n: number, audience = AUDIENCE): TrackFrame {
  const timeS = T0 + k;
  const tracks: SystemTrack[] = [];
  for (let i = 0; i < n; i++) {
    const lat0 = 26 + ((i * 0.618034) % 1) * 10;
    const lon0 = 27 + ((i * 0.414214) % 1) * 13;
    const hdg = ((i * 137.508) % 360) * DEG;
    const v = 120 + (i % 13) * 10;
    const vE = v * Math.sin(hdg) + (noise(i, k) - 0.5) * 0.6;
    const vN = v * Math.cos(hdg) + (noise(k, i) - 0.5) * 0.6;
    const kind = i % 10;
    const climb = i % 10 === 3 ? 8 * k : 0;
    // Two or three radars see each track; each names it in the frames where its antenna passed.
    const sensors = [0, 1, 2].map((j) => RADARS[(i + j * 5) % RADARS.length]!).filter((r, j) => j < 2 + (i % 2) && (k + i) % r.rotationS === 0);
    tracks.push({
      kind: 'track', id: `T${i + 1}`, timeS, status: kind === 9 ? 'tentative' : kind === 8 ? 'coasting' : 'confirmed',
      latDeg: lat0 + (v * Math.cos(hdg) * k) / 111_320, lonDeg: lon0 + (v * Math.sin(hdg) * k) / (111_320 * Math.cos(lat0 * DEG)),
      altM: kind === 7 ? null : 600 + ((i * 397) % 12000) + climb, velEastMps: vE, velNorthMps: vN, sigmaM: 80,
      icao24: kind < 5 ? (0x010000 + i * 97).toString(16).padStart(6, '0') : null,
      mode3a: kind < 7 ? (0o1000 + (i % 3000)).toString(8).padStart(4, '0') : null,
      callsign: kind < 5 ? `SKY${i + 1}` : null,
      sensors: sensors.map((r) => r.id), partners: [...new Set(sensors.map((r) => r.partner))],
    });
  }
  return { kind: 'frame', audience, timeS, tracks };
}

