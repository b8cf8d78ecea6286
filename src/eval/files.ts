// Readers for the two files scoring compares (contract sections 4 and 5).
// Evaluation is a judge, so a malformed line is refused with its line number
// instead of being skipped: a silently dropped truth line would flatter the
// tracker. Fields the contract does not know are ignored; the JSON names
// map to the pipeline's unit-carrying names (t -> timeS, lat -> latDeg, ...).

import { readFileSync } from 'node:fs';
import { SkyError, type SkyErrorCode } from '../core/errors.ts';
import type { SystemTrack, TrackStatus, TruthPoint } from '../core/types.ts';

const TRACK_STATUSES: readonly TrackStatus[] = ['tentative', 'confirmed', 'coasting'];

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new SkyError('SKY_FILE_NOT_FOUND', `${path}: no such file; check the path`, { file: path });
    }
    throw e;
  }
}

/** One JSONL line's fields, read with errors that name the file and line. */
class LineFields {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly code: SkyErrorCode,
    private readonly file: string,
    private readonly line: number,
  ) {}

  fail(msg: string): SkyError {
    return new SkyError(this.code, `${this.file} line ${this.line}: ${msg}`, { file: this.file, offset: this.line });
  }

  num(name: string, lo = -Infinity, hi = Infinity): number {
    const v = this.obj[name];
    if (v === undefined) throw this.fail(`${name} is required`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(`${name} must be a number`);
    if (v < lo || v > hi) throw this.fail(`${name} must be ${lo}..${hi}, got ${v}`);
    return v;
  }

  /** A number or null; an absent field reads as null (unknown). */
  numOrNull(name: string): number | null {
    const v = this.obj[name];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(`${name} must be a number or null`);
    return v;
  }

  str(name: string): string {
    const v = this.obj[name];
    if (v === undefined) throw this.fail(`${name} is required`);
    if (typeof v !== 'string' || v === '') throw this.fail(`${name} must be a non-empty string`);
    return v;
  }

  /** A string or null; an absent field reads as null (the aircraft does not state it). */
  strOrNull(name: string): string | null {
    const v = this.obj[name];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw this.fail(`${name} must be a string or null`);
    return v;
  }

  /** An optional boolean: absent or null reads as undefined. */
  boolOpt(name: string): boolean | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.fail(`${name} must be true or false`);
    return v;
  }

  /** An array of strings; absent reads as []. */
  strings(name: string): string[] {
    const v = this.obj[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw this.fail(`${name} must be an array of strings`);
    return v as string[];
  }

  status(): TrackStatus {
    const v = this.obj['status'];
    if (v === undefined) throw this.fail('status is required');
    if (!TRACK_STATUSES.includes(v as TrackStatus)) throw this.fail('status must be tentative, confirmed or coasting');
    return v as TrackStatus;
  }
}

/** Calls `each` for every non-blank line of a JSONL text with its 1-based line number. */
function forEachJsonLine(
  text: string,
  code: SkyErrorCode,
  file: string,
  each: (fields: LineFields) => void,
): void {
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k]!.trim();
    if (raw === '') continue;
    const line = k + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new SkyError(code, `${file} line ${line}: not valid JSON`, { file, offset: line });
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new SkyError(code, `${file} line ${line}: must be a JSON object`, { file, offset: line });
    }
    each(new LineFields(obj as Record<string, unknown>, code, file, line));
  }
}

/** Parse truth.jsonl text (contract 5); `file` names it in SKY_TRUTH_INVALID errors. */
export function parseTruthJsonl(text: string, file = 'truth.jsonl'): TruthPoint[] {
  const out: TruthPoint[] = [];
  forEachJsonLine(text, 'SKY_TRUTH_INVALID', file, (f) => {
    out.push({
      timeS: f.num('t'),
      id: f.str('id'),
      latDeg: f.num('lat', -90, 90),
      lonDeg: f.num('lon', -180, 180),
      altM: f.numOrNull('altM'),
      icao24: f.strOrNull('icao24'),
      mode3a: f.strOrNull('mode3a'),
      callsign: f.strOrNull('callsign'),
      ...(f.boolOpt('observable') === false ? { observable: false } : {}),
    });
  });
  return out;
}

/** Parse tracks.jsonl text (contract 4); `file` names it in SKY_TRACKS_INVALID errors. */
export function parseTracksJsonl(text: string, file = 'tracks.jsonl'): SystemTrack[] {
  const out: SystemTrack[] = [];
  forEachJsonLine(text, 'SKY_TRACKS_INVALID', file, (f) => {
    out.push({
      kind: 'track',
      timeS: f.num('t'),
      id: f.str('id'),
      status: f.status(),
      latDeg: f.num('lat', -90, 90),
      lonDeg: f.num('lon', -180, 180),
      altM: f.numOrNull('altM'),
      velEastMps: f.num('vE'),
      velNorthMps: f.num('vN'),
      sigmaM: f.num('sigmaM', 0),
      icao24: f.strOrNull('icao24'),
      mode3a: f.strOrNull('mode3a'),
      callsign: f.strOrNull('callsign'),
      sensors: f.strings('sensors'),
      // Not in contract 4; read when a producer adds it, else [].
      partners: f.strings('partners'),
    });
  });
  return out;
}

/** Read truth.jsonl (contract 5). Throws SKY_FILE_NOT_FOUND, or SKY_TRUTH_INVALID naming the line. */
export function readTruthFile(path: string): TruthPoint[] {
  return parseTruthJsonl(readText(path), path);
}

/** Read tracks.jsonl (contract 4). Throws SKY_FILE_NOT_FOUND, or SKY_TRACKS_INVALID naming the line. */
export function readTracksFile(path: string): SystemTrack[] {
  return parseTracksJsonl(readText(path), path);
}
