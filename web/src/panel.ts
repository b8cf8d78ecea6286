// The selected track's details (with its history as this page received
// it), the legend and the status bar. The table is in table.ts, the alert
// list in alerts.ts, the sensor panel in sensors.ts.

import type { WireTrack } from '../../src/serve/wire.ts';
import { AFFILIATIONS, type Affiliation, isEmergency } from './affiliation.ts';
import { LEGEND_TEXT } from './atlas.ts';
import { type AltBand, BAND_COLOURS, BAND_LABELS, courseDeg, flText, knots, utcText } from './geo.ts';
import type { History } from './picture.ts';

export interface CoalitionInfo {
  readonly partners: readonly { id: string; name: string; status: string }[];
  readonly sensors: readonly {
    id: string;
    partner: string;
    kind: string;
    lat: number;
    lon: number;
    maxRangeM: number;
    rotationS: number | null;
  }[];
}

const STATUS_TEXT = { T: 'tentative', C: 'confirmed', K: 'coasting' } as const;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The selected track: identities, kinematics, contributing sensors and partners. */
export function renderDetails(
  box: HTMLElement,
  t: WireTrack | null,
  selectedId: string | null,
  coalition: CoalitionInfo | null,
  history?: History,
  affiliation?: Affiliation,
): void {
  if (!selectedId) {
    box.replaceChildren(el('p', 'hint', 'Select a track on the map or in the table.'));
    return;
  }
  if (!t) {
    box.replaceChildren(el('p', 'hint', `Track ${selectedId} is no longer in the picture.`));
    return;
  }
  const partnerName = (id: string) => coalition?.partners.find((p) => p.id === id)?.name ?? id;
  const sensorInfo = (id: string) => {
    const s = coalition?.sensors.find((x) => x.id === id);
    return s ? `${id} (${s.kind}, ${partnerName(s.partner)})` : id;
  };
  const fl = flText(t.alt);
  const rows: [string, string][] = [
    ['Track', `${t.id}  ${STATUS_TEXT[t.st]}${affiliation ? `, ${affiliation}` : ''}`],
    ['Callsign', t.cs ?? '-'],
    ['Mode 3/A', t.m3a ?? '-'],
    ['Mode S', t.icao ?? '-'],
    ['Position', `${t.lat.toFixed(4)}, ${t.lon.toFixed(4)}`],
    ['Level', t.alt === null ? '-' : `${fl} (${t.alt} m)`],
    ['Ground speed', `${Math.round(knots(t.vE, t.vN))} kt`],
    ['Course', `${Math.round(courseDeg(t.vE, t.vN)).toString().padStart(3, '0')}°`],
    ['Sensors', t.sen.length ? t.sen.map(sensorInfo).join(', ') : 'none this period'],
    ['Partners', t.par.length ? t.par.map(partnerName).join(', ') : '-'],
  ];
  const dl = el('dl');
  for (const [k, v] of rows) dl.append(el('dt', undefined, k), el('dd', undefined, v));
  if (isEmergency(t)) dl.querySelectorAll('dd')[2]?.classList.add('emergency-text');
  const parts: HTMLElement[] = [dl];
  if (history && history.t.length > 0) {
    const since = (s: number) => `${Math.max(0, Math.round((history.t.at(-1)! - s)))} s ago`;
    const contrib = el('p', 'history-contrib');
    contrib.textContent =
      `History since ${utcText(history.firstS).slice(11)}: sensors ` +
      [...history.sensors].map(([id, at]) => `${id} (${since(at)})`).join(', ') +
      (history.partners.size ? `; partners ${[...history.partners.keys()].map(partnerName).join(', ')}` : '');
    const table = el('table', 'history');
    const head = table.createTHead().insertRow();
    for (const h of ['Time', 'FL', 'Lat', 'Lon']) head.append(el('th', undefined, h));
    const body = table.createTBody();
    // The last six positions, newest first.
    for (let i = history.t.length - 1, k = 0; i >= 0 && k < 6; i--, k++) {
      const r = body.insertRow();
      r.insertCell().textContent = utcText(history.t[i]!).slice(11, 19);
      r.insertCell().textContent = flText(history.alt[i] ?? null).slice(2) || '---';
      r.insertCell().textContent = history.pos[2 * i + 1]!.toFixed(3);
      r.insertCell().textContent = history.pos[2 * i]!.toFixed(3);
    }
    parts.push(contrib, table);
  }
  box.replaceChildren(...parts);
}

export function renderLegend(box: HTMLElement, symbols?: Readonly<Record<Affiliation, string>>): void {
  const order: AltBand[] = ['upper', 'high', 'mid', 'low', 'unknown'];
  const items = order.map((b) => {
    const sw = el('span', 'swatch');
    sw.style.background = BAND_COLOURS[b];
    const item = el('div', 'legend-item');
    item.append(sw, el('span', undefined, BAND_LABELS[b]));
    return item;
  });
  const coast = el('div', 'legend-item');
  coast.append(el('span', 'swatch hollow'), el('span', undefined, 'coasting'));
  const sensor = el('div', 'legend-item');
  sensor.append(el('span', 'swatch sensor'), el('span', undefined, 'sensor, coverage'));
  const syms = symbols
    ? AFFILIATIONS.map((a) => {
        const item = el('div', 'legend-item legend-symbol');
        item.dataset.affiliation = a;
        const img = el('img');
        // milsymbol's SVG as a data: URL (the CSP allows img-src data:).
        img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(symbols[a])}`;
        img.alt = a;
        item.append(img, el('span', undefined, LEGEND_TEXT[a]));
        return item;
      })
    : [];
  const emg = el('div', 'legend-item');
  emg.append(el('span', 'swatch emergency'), el('span', undefined, '7500/7600/7700'));
  const ring = el('div', 'legend-title', 'ring: altitude');
  box.replaceChildren(...syms, ring, ...items, coast, emg, sensor);
}

export type LinkState = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'unauthorized' | 'no-token';

const LINK_TEXT: Record<LinkState, string> = {
  connecting: 'connecting',
  live: 'live',
  stale: 'no data',
  reconnecting: 'reconnecting',
  unauthorized: 'credentials refused',
  'no-token': 'not logged in',
};

export class StatusBar {
  constructor(
    private readonly conn: HTMLElement,
    private readonly dataTime: HTMLElement,
    private readonly count: HTMLElement,
    private readonly alert: HTMLElement,
  ) {}

  link(state: LinkState, detail = ''): void {
    this.conn.textContent = detail ? `${LINK_TEXT[state]} (${detail})` : LINK_TEXT[state];
    this.conn.dataset.state = state;
  }

  frame(timeS: number | null, tracks: number): void {
    this.dataTime.textContent = timeS === null ? 'data time -' : `data time ${utcText(timeS)}`;
    this.count.textContent = `${tracks} track${tracks === 1 ? '' : 's'}`;
  }

  message(text: string): void {
    this.alert.textContent = text;
  }
}
