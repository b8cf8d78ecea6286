// The side panel (track table and the selected track's details), the legend
// and the status bar. The table keeps one row element per track and only
// touches cells whose text changed, so a 500-track frame costs a few hundred
// text updates rather than a rebuild of the table.

import type { WireTrack } from '../../src/serve/wire.ts';
import { type AltBand, BAND_COLOURS, BAND_LABELS, courseDeg, flText, flightLevel, knots, utcText } from './geo.ts';

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

type ColumnKey = 'id' | 'cs' | 'm3a' | 'fl' | 'kt' | 'st' | 'sen';

interface Column {
  readonly key: ColumnKey;
  readonly title: string;
  readonly text: (t: WireTrack) => string;
  /** Sort value; null sorts last. */
  readonly value: (t: WireTrack) => string | number | null;
}

const COLUMNS: readonly Column[] = [
  { key: 'id', title: 'Track', text: (t) => t.id, value: (t) => t.id },
  { key: 'cs', title: 'Callsign', text: (t) => t.cs ?? '', value: (t) => t.cs },
  { key: 'm3a', title: 'Mode 3/A', text: (t) => t.m3a ?? '', value: (t) => t.m3a },
  { key: 'fl', title: 'FL', text: (t) => flText(t.alt).slice(2), value: (t) => flightLevel(t.alt) },
  { key: 'kt', title: 'GS kt', text: (t) => String(Math.round(knots(t.vE, t.vN))), value: (t) => knots(t.vE, t.vN) },
  { key: 'st', title: 'Status', text: (t) => STATUS_TEXT[t.st], value: (t) => t.st },
  { key: 'sen', title: 'Sensors', text: (t) => t.sen.join(' '), value: (t) => t.sen.length },
];

const collator = new Intl.Collator('en', { numeric: true });

/** Unknown values (null) sort last in both directions. */
function compare(a: string | number | null, b: string | number | null, dir: 1 | -1): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return dir * (a - b);
  return dir * collator.compare(String(a), String(b));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly cells: HTMLTableCellElement[];
  track: WireTrack;
}

export class TrackTable {
  private readonly rows = new Map<string, Row>();
  private readonly tbody: HTMLTableSectionElement;
  private readonly headers: HTMLTableCellElement[] = [];
  private sortKey: ColumnKey = 'id';
  private sortDir: 1 | -1 = 1;
  private order: Row[] = [];
  private selectedId: string | null = null;

  constructor(
    table: HTMLTableElement,
    private readonly onSelect: (id: string) => void,
  ) {
    const thead = table.createTHead();
    const hr = thead.insertRow();
    for (const c of COLUMNS) {
      const th = el('th', undefined, c.title);
      th.dataset.key = c.key;
      th.tabIndex = 0;
      th.addEventListener('click', () => this.sortBy(c.key));
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.sortBy(c.key);
      });
      hr.append(th);
      this.headers.push(th);
    }
    this.tbody = table.createTBody();
    this.tbody.addEventListener('click', (e) => {
      const tr = (e.target as HTMLElement).closest('tr');
      const id = tr?.dataset.id;
      if (id) this.onSelect(id);
    });
    this.markSort();
  }

  sortBy(key: ColumnKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      this.sortDir = 1;
    }
    this.markSort();
    this.resort();
  }

  private markSort(): void {
    for (const th of this.headers) {
      const on = th.dataset.key === this.sortKey;
      th.classList.toggle('sorted', on);
      th.setAttribute('aria-sort', on ? (this.sortDir === 1 ? 'ascending' : 'descending') : 'none');
    }
  }

  update(tracks: Iterable<WireTrack>, selectedId: string | null): void {
    const seen = new Set<string>();
    for (const t of tracks) {
      seen.add(t.id);
      let row = this.rows.get(t.id);
      if (!row) {
        const tr = el('tr');
        tr.dataset.id = t.id;
        const cells = COLUMNS.map(() => tr.insertCell());
        row = { tr, cells, track: t };
        this.rows.set(t.id, row);
      }
      row.track = t;
      COLUMNS.forEach((c, i) => {
        const cell = row.cells[i]!;
        const text = c.text(t);
        if (cell.textContent !== text) cell.textContent = text;
      });
      row.tr.classList.toggle('coasting', t.st === 'K');
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    if (selectedId !== this.selectedId) {
      if (this.selectedId) this.rows.get(this.selectedId)?.tr.classList.remove('selected');
      this.selectedId = selectedId;
    }
    if (selectedId) this.rows.get(selectedId)?.tr.classList.add('selected');
    this.resort();
  }

  private resort(): void {
    const col = COLUMNS.find((c) => c.key === this.sortKey) ?? COLUMNS[0]!;
    const sorted = [...this.rows.values()].sort(
      (a, b) => compare(col.value(a.track), col.value(b.track), this.sortDir) || collator.compare(a.track.id, b.track.id),
    );
    const same = sorted.length === this.order.length && sorted.every((r, i) => r === this.order[i]);
    if (!same) this.tbody.replaceChildren(...sorted.map((r) => r.tr));
    this.order = sorted;
  }

  scrollToSelected(): void {
    if (this.selectedId) this.rows.get(this.selectedId)?.tr.scrollIntoView({ block: 'nearest' });
  }
}

/** The selected track: identities, kinematics, contributing sensors and partners. */
export function renderDetails(box: HTMLElement, t: WireTrack | null, selectedId: string | null, coalition: CoalitionInfo | null): void {
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
    ['Track', `${t.id}  ${STATUS_TEXT[t.st]}`],
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
  box.replaceChildren(dl);
}

export function renderLegend(box: HTMLElement): void {
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
  box.replaceChildren(...items, coast, sensor);
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
