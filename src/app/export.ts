// `skyfuse export`: one partner's recorded picture over a window, to a CSV,
// GeoJSON or KML file. The frames are those recorded for the audience the
// partner saw at each time (src/record/history.ts), paged through the
// recording (no cap: a file, not an HTTP response), CSV streamed as it goes.

import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SkyError } from '../core/errors.ts';
import { CSV_HEADER, PathCollector, RecordingHistory, checkFormat, csvLine, parseTime, toGeoJson, toKml, type Withheld } from '../record/history.ts';

export interface ExportOptions {
  readonly recording: string;
  readonly partner: string;
  /** ISO 8601 with a zone, or seconds since the epoch. */
  readonly from: string;
  readonly to: string;
  readonly format: string;
  readonly out: string;
  readonly track?: string;
  readonly step?: string;
}

export interface ExportSummary {
  readonly frames: number;
  readonly trackLines: number;
  readonly tracks: number;
  readonly bytes: number;
  readonly withheld: readonly Withheld[];
}

export function runExport(o: ExportOptions): ExportSummary {
  const format = checkFormat(o.format);
  const fromS = parseTime(o.from, '--from');
  const toS = parseTime(o.to, '--to');
  let stepS: number | undefined;
  if (o.step !== undefined) {
    stepS = Number(o.step);
    if (!(stepS > 0)) throw new SkyError('SKY_HISTORY_STEP', `--step must be a number of seconds > 0, got "${o.step}"`);
  }
  const h = new RecordingHistory(o.recording);
  // Written to a temporary name and renamed at the end: a failed export leaves no half file behind.
  const tmp = `${o.out}.part`;
  let fd: number | null = null;
  try {
    const q = { partnerId: o.partner, fromS, toS, ...(o.track ? { trackId: o.track } : {}), ...(stepS !== undefined ? { stepS } : {}) };
    // Checks the query (range, step, track, partner) before creating the file.
    h.query({ ...q, maxFrames: 1 });
    try {
      fd = openSync(tmp, 'w');
    } catch (e) {
      throw new SkyError('SKY_FILE_WRITE', `cannot write ${o.out}: ${(e as Error).message}`, { file: o.out });
    }
    let bytes = 0;
    const write = (s: string) => {
      bytes += writeSync(fd!, s);
    };
    let frames = 0;
    let lines = 0;
    const ids = new Set<string>();
    const paths = new PathCollector();
    let buf: string[] = [];
    if (format === 'csv') write(CSV_HEADER + '\n');
    const it = h.all(q);
    let r = it.next();
    while (!r.done) {
      const f = r.value;
      frames++;
      lines += f.tracks.length;
      for (const k of f.tracks) ids.add(k.id);
      if (format === 'csv') {
        for (const k of f.tracks) buf.push(csvLine(f.t, k));
        if (buf.length > 5000) {
          write(buf.join('\n') + '\n');
          buf = [];
        }
      } else paths.add(f);
      r = it.next();
    }
    const withheld = r.value.withheld;
    const meta = { partner: o.partner, from: new Date(fromS * 1000).toISOString(), to: new Date(toS * 1000).toISOString(), step: stepS ?? null, track: o.track ?? null, recording: o.recording };
    if (format === 'csv') {
      if (buf.length) write(buf.join('\n') + '\n');
    } else if (format === 'geojson') write(toGeoJson(paths, meta));
    else write(toKml(paths, `skyfuse ${o.partner} ${meta.from} to ${meta.to}`));
    closeSync(fd);
    fd = null;
    renameSync(tmp, o.out);
    return { frames, trackLines: lines, tracks: ids.size, bytes, withheld };
  } finally {
    if (fd !== null) {
      closeSync(fd);
      rmSync(tmp, { force: true });
    }
    h.close();
  }
}
