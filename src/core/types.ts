// The plain readonly records that travel between stages. Angles are radians
// and times are seconds since 1970-01-01 UTC inside the pipeline; degrees and
// other units appear only at the edges (files, UI). Every plot names the
// sensor and partner it came from, so releasability can follow it to the end.

export type PartnerStatus = 'member' | 'suspended' | 'withdrawn';

export interface Partner {
  readonly id: string;
  readonly name: string;
  readonly status: PartnerStatus;
  /**
   * What this partner releases to whom (src/coalition/releasability.ts);
   * null when the file says nothing: everything, in full, to every member.
   */
  readonly releases: readonly ReleaseRule[] | null;
}

export type ReleaseContent = 'full' | 'position';

/** One of a partner's release rules (coalition file, optional `releases`). */
export interface ReleaseRule {
  /** Recipient partner ids; "*" stands for every partner. */
  readonly to: readonly string[];
  /** Sensor ids of the releasing partner; null for all of them. */
  readonly sensors: readonly string[] | null;
  /** "position" strips identities (Mode S address, Mode 3/A, callsign). */
  readonly content: ReleaseContent;
  /** Polygons (rings of [latRad, lonRad]) inside which plots are withheld. */
  readonly withholdInside: readonly (readonly (readonly [number, number])[])[];
}

export type SensorKind = 'psr' | 'ssr' | 'psr+ssr' | 'mode-s' | 'adsb';

export interface Sensor {
  readonly id: string;
  readonly partnerId: string;
  readonly kind: SensorKind;
  readonly sac: number;
  readonly sic: number;
  readonly latRad: number;
  readonly lonRad: number;
  /** Antenna height above the WGS-84 ellipsoid. */
  readonly altM: number;
  /** Antenna rotation period; null for ADS-B ground stations. */
  readonly rotationS: number | null;
  readonly maxRangeM: number;
  /** Primary coverage of a psr+ssr sensor when smaller than maxRangeM. */
  readonly psrMaxRangeM: number | null;
  /** Nominal 1-sigma range noise (for adsb: horizontal position noise). */
  readonly sigmaRangeM: number;
  /** Nominal 1-sigma azimuth noise; null for adsb. */
  readonly sigmaAzimuthRad: number | null;
  /** Coalition file "registrationAnchor": a surveyed radar, a registration reference from its first plot (set only when true). */
  readonly registrationAnchor?: boolean;
}

export interface Coalition {
  readonly partners: readonly Partner[];
  readonly sensors: readonly Sensor[];
}

/** How a radar plot was detected (CAT048 I048/020 TYP). */
export type Detection = 'psr' | 'ssr' | 'psr+ssr' | 'mode-s' | 'psr+mode-s';

/** A monoradar target report (CAT048), in the radar's polar frame. */
export interface RadarPlot {
  readonly kind: 'radar';
  readonly sensorId: string;
  readonly partnerId: string;
  readonly timeS: number;
  /** Slant range from the antenna. */
  readonly rangeM: number;
  /** Azimuth clockwise from geodetic north at the antenna. */
  readonly azimuthRad: number;
  /** Mode C pressure altitude in flight levels (100 ft), null if absent. */
  readonly flightLevel: number | null;
  /** Mode 3/A code as 4 octal digits, null if absent. */
  readonly mode3a: string | null;
  /** Mode S address as 6 lowercase hex digits, null if absent. */
  readonly icao24: string | null;
  readonly callsign: string | null;
  readonly detection: Detection;
  /** The registration correction applied to this plot (range, gain, azimuth, time), if any. */
  readonly registration?: {
    readonly rangeOffsetM: number;
    readonly rangeGain: number;
    readonly azimuthOffsetRad: number;
    readonly timeOffsetS: number;
  };
  /**
   * 1-sigma of the systematic error left in this plot after registration:
   * the uncertainty of a component that is corrected, the whole estimated
   * bias (and its uncertainty) of one that is not yet. Absent when the plot
   * went through no registration.
   */
  readonly residualBias?: {
    readonly rangeSigmaM: number;
    readonly rangeGainSigma: number;
    readonly azimuthSigmaRad: number;
  };
}

/** An ADS-B report (CAT021): the aircraft's own WGS-84 position. */
export interface AdsbPlot {
  readonly kind: 'adsb';
  readonly sensorId: string;
  readonly partnerId: string;
  readonly timeS: number;
  readonly latRad: number;
  readonly lonRad: number;
  /** Geometric height above the ellipsoid if reported, else null. */
  readonly heightM: number | null;
  readonly flightLevel: number | null;
  readonly mode3a: string | null;
  /** The aircraft's address; null only once releasability stripped it. */
  readonly icao24: string | null;
  readonly callsign: string | null;
}

export type Plot = RadarPlot | AdsbPlot;

export type TrackStatus = 'tentative' | 'confirmed' | 'coasting';

/** A system track's state predicted to a snapshot time (contract section 4). */
export interface SystemTrack {
  readonly kind: 'track';
  readonly id: string;
  readonly timeS: number;
  readonly status: TrackStatus;
  readonly latDeg: number;
  readonly lonDeg: number;
  readonly altM: number | null;
  readonly velEastMps: number;
  readonly velNorthMps: number;
  /** Per-axis 1-sigma horizontal uncertainty: sqrt((varE + varN) / 2). */
  readonly sigmaM: number;
  readonly icao24: string | null;
  readonly mode3a: string | null;
  readonly callsign: string | null;
  /** Sensors that updated the track in the last period. */
  readonly sensors: readonly string[];
  /** Partners owning those sensors. */
  readonly partners: readonly string[];
}

/** All live tracks at one instant: what the tracker publishes each period. */
export interface TrackFrame {
  readonly kind: 'frame';
  readonly timeS: number;
  readonly tracks: readonly SystemTrack[];
  /**
   * The releasability audience whose picture this is (Audience.key of
   * src/coalition/releasability.ts); absent for a single coalition-wide
   * tracker. The server shows a frame only to that audience's partners.
   */
  readonly audience?: string;
}

/** Things operators and the audit log care about. */
export type SkyEvent =
  | { readonly kind: 'north-marker'; readonly sensorId: string; readonly timeS: number }
  | { readonly kind: 'sector'; readonly sensorId: string; readonly timeS: number; readonly azimuthRad: number }
  | { readonly kind: 'bad-input'; readonly code: string; readonly message: string; readonly timeS: number }
  | { readonly kind: 'unknown-sensor'; readonly sac: number; readonly sic: number; readonly timeS: number };

/** One line of truth.jsonl (contract section 5), in pipeline units. */
export interface TruthPoint {
  readonly timeS: number;
  readonly id: string;
  readonly latDeg: number;
  readonly lonDeg: number;
  readonly altM: number | null;
  readonly icao24: string | null;
  readonly mode3a: string | null;
  readonly callsign: string | null;
  /** Optional (contract 5): false when no declared sensor could see the aircraft at that second. */
  readonly observable?: boolean;
}
