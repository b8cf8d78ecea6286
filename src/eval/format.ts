// The human table `skyfuse eval` prints. Figures that could not be computed
// (nothing associated, no instant scored) print as "n/a", never as 0, so an
// empty run cannot pass for a perfect one.

import type { EvalReport } from './evaluate.ts';

function metres(v: number | null, digits = 1): string {
  return v === null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(digits)} m`;
}

function percent(v: number | null): string {
  return v === null || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)} %`;
}

function bare(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : 'n/a';
}

/** An aligned two-column table of the report. */
export function formatReport(r: EvalReport): string {
  const s = r.settings;
  const g = r.gospa;
  const rows: [string, string][] = [
    [
      `GOSPA (p=${s.p}, c=${s.cM} m, α=${s.alpha})`,
      `mean ${metres(g.meanM)}   (localisation ${bare(g.localisationM)}, missed ${bare(g.missedM)}, false ${bare(g.falseM)})`,
    ],
    ['horizontal RMS', metres(r.rmsHorizontalM)],
    ['vertical RMS', metres(r.rmsVerticalM)],
    ['coverage', r.instants > 0 ? percent(r.coverage) : 'n/a'],
    ['false track rate', r.instants > 0 ? percent(r.falseTrackRate) : 'n/a'],
    ['ID swaps', `${r.idSwaps}   (per-instant reassignments ${r.idReassignments})`],
    ['track breaks', String(r.trackBreaks)],
    ['identity correct', percent(r.identityCorrect)],
    ['association gate', metres(s.gateM, 0)],
    ['truth aircraft', String(r.truthAircraft)],
    ['track ids', String(r.trackIds)],
    ['instants scored', `${r.instants} of ${r.truthInstants} (snapshot within ±${s.toleranceS} s)`],
    ['aircraft hours', `${r.aircraftHours.toFixed(2)}${r.unobservablePoints > 0 ? ` observable (${(r.unobservablePoints / 3600).toFixed(2)} h unobservable, not scored as missed)` : ''}`],
  ];
  const width = Math.max(29, ...rows.map(([label]) => label.length + 3));
  return rows.map(([label, value]) => label.padEnd(width) + value).join('\n') + '\n';
}
