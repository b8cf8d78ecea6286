// The track table, virtualised: rows have a fixed height, and only those in
// the scrolled window (plus a few above and below) exist in the DOM, drawn
// from a small pool of row elements between two spacer rows. Thousands of
// tracks therefore cost a re-sort of the last frame's order per frame (nearly
// sorted: about one comparison per track, TrackOrder) and a few dozen cell
// updates, not thousands of nodes; while the table is hidden, not even that.

import type { WireTrack } from '../../src/serve/wire.ts';
import { flText, flightLevel, knots } from './geo.ts';

/** Row height in CSS pixels; style.css gives rows exactly this height. */
export const ROW_H = 20;
/** Rows drawn beyond each edge of the visible window. */
const OVERSCAN = 8;

const STATUS_TEXT = { T: 'tentative', C: 'confirmed', K: 'coasting' } as const;

export type ColumnKey = 'id' | 'cs' | 'm3a' | 'fl' | 'kt' | 'st' | 'sen';

interface Column {
  readonly key: ColumnKey;
  readonly title: string;
  readonly text: (t: WireTrack) => string;
  /** Sort key; null sorts last. Strings compare by code unit, numbers numerically. */
  readonly value: (t: WireTrack) => string | number | null;
}

/** "T12" sorts after "T9": the id's letters, then its number padded. Cached: ids live for many frames and a frame sorts them all. */
const naturalIds = new Map<string, string>();
const naturalId = (id: string): string => {
  let n = naturalIds.get(id);
  if (n === undefined) {
    if (naturalIds.size > 200_000) naturalIds.clear();
    n = id.replace(/\d+/g, (d) => d.padStart(10, '0'));
    naturalIds.set(id, n);
  }
  return n;
};

export const COLUMNS: readonly Column[] = [
  { key: 'id', title: 'Track', text: (t) => t.id, value: (t) => naturalId(t.id) },
  { key: 'cs', title: 'Callsign', text: (t) => t.cs ?? '', value: (t) => t.cs },
  { key: 'm3a', title: 'Mode 3/A', text: (t) => t.m3a ?? '', value: (t) => t.m3a },
  { key: 'fl', title: 'FL', text: (t) => flText(t.alt).slice(2), value: (t) => flightLevel(t.alt) },
  { key: 'kt', title: 'GS kt', text: (t) => String(Math.round(knots(t.vE, t.vN))), value: (t) => Math.round(knots(t.vE, t.vN)) },
  { key: 'st', title: 'Status', text: (t) => STATUS_TEXT[t.st], value: (t) => t.st },
  { key: 'sen', title: 'Sensors', text: (t) => t.sen.join(' '), value: (t) => t.sen.length },
];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Does the track match the filter text (case-insensitive, in id, callsign, Mode 3/A or Mode S address)? */
export function matches(t: WireTrack, q: string): boolean {
  if (q === '') return true;
  return (
    t.id.toLowerCase().includes(q) ||
    (t.cs !== null && t.cs.toLowerCase().includes(q)) ||
    (t.m3a !== null && t.m3a.includes(q)) ||
    (t.icao !== null && t.icao.includes(q))
  );
}

interface Keyed {
  v: string | number | null;
  readonly id: string;
  t: WireTrack;
  seen: number;
}

const compare = (dir: 1 | -1) => (a: Keyed, b: Keyed): number => {
  if (a.v !== b.v) {
    if (a.v === null) return 1;
    if (b.v === null) return -1;
    return (a.v < b.v ? -1 : 1) * dir;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** Sorted, filtered order of tracks: pure, so it is tested without a DOM. */
export function orderTracks(tracks: Iterable<WireTrack>, key: ColumnKey, dir: 1 | -1, filter: string): WireTrack[] {
  const col = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0]!;
  const q = filter.trim().toLowerCase();
  const keyed: Keyed[] = [];
  for (const t of tracks) if (matches(t, q)) keyed.push({ v: col.value(t), id: naturalId(t.id), t, seen: 0 });
  keyed.sort(compare(dir));
  return keyed.map((k) => k.t);
}

/**
 * orderTracks kept up to date frame after frame: the same order, but each frame re-sorts the last frame's order,
 * in which a frame moves few tracks (levels and speeds change slowly, ids and callsigns never), and the engine's
 * sort (TimSort) takes a nearly sorted array in about one comparison per element instead of n log n. Entries are
 * kept per track id, so a frame allocates nothing for the tracks it already had.
 */
export class TrackOrder {
  private readonly byId = new Map<string, Keyed>();
  /** Every track of the last update (unfiltered), in the last sorted order. */
  private sorted: Keyed[] = [];
  private stamp = 0;

  /** The tracks in order by `key`, `dir`, keeping those matching `filter`; `total` is how many tracks there were. */
  update(tracks: Iterable<WireTrack>, key: ColumnKey, dir: 1 | -1, filter: string): { order: WireTrack[]; total: number } {
    const col = COLUMNS.find((c) => c.key === key) ?? COLUMNS[0]!;
    const stamp = ++this.stamp;
    let total = 0;
    for (const t of tracks) {
      total++;
      let e = this.byId.get(t.id);
      if (!e) {
        e = { v: null, id: naturalId(t.id), t, seen: 0 };
        this.byId.set(t.id, e);
        this.sorted.push(e);
      }
      e.t = t;
      // The id column's key is the entry's own (natural) id: no lookup per track and frame.
      e.v = key === 'id' ? e.id : col.value(t);
      e.seen = stamp;
    }
    // Tracks gone: out of the order (in place) and forgotten.
    let w = 0;
    for (const e of this.sorted) {
      if (e.seen === stamp) this.sorted[w++] = e;
      else this.byId.delete(e.t.id);
    }
    this.sorted.length = w;
    // Ties are broken by id, so the result does not depend on the order it starts from.
    this.sorted.sort(compare(dir));
    const q = filter.trim().toLowerCase();
    const order: WireTrack[] = [];
    for (const e of this.sorted) if (q === '' || matches(e.t, q)) order.push(e.t);
    return { order, total };
  }
}

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly cells: HTMLTableCellElement[];
  /**
   * What fill() last wrote: each cell's text, the row's track id and its classes (COASTING | SELECTED | EMERGENCY),
   * so a frame that changes nothing in a row neither reads nor writes the DOM.
   */
  readonly texts: (string | null)[];
  id: string | null;
  flags: number;
}

const COASTING = 1;
const SELECTED = 2;
const EMERGENCY = 4;

export class TrackTable {
  private readonly tbody: HTMLTableSectionElement;
  private readonly top: HTMLTableRowElement;
  private readonly bottom: HTMLTableRowElement;
  private readonly headers: HTMLTableCellElement[] = [];
  private readonly pool: Row[] = [];
  private sortKey: ColumnKey = 'id';
  private sortDir: 1 | -1 = 1;
  private filter = '';
  /** The picture's tracks (the page's live map, read again at each sort), or a list. */
  private all: ReadonlyMap<string, WireTrack> | readonly WireTrack[] = [];
  private order: WireTrack[] = [];
  private readonly sorter = new TrackOrder();
  /** The tracks changed since the order was last computed (it is not while the table is hidden). */
  private stale = false;
  private selectedId: string | null = null;
  private scheduled = false;
  /** Tracks in the picture and after the filter (for the count line). */
  total = 0;
  /**
   * The scroller's scrollTop and clientHeight, read by the first render after a scroll, a resize or a scroll of our
   * own (null until then): a frame's render reads no layout, which after the last frame's writes would force one.
   */
  private scrollPx: number | null = null;
  private viewPx: number | null = null;
  /** Rows above and below the drawn ones, as the spacers were last sized. */
  private spacers: [number, number] = [-1, -1];

  constructor(
    private readonly scroller: HTMLElement,
    table: HTMLTableElement,
    private readonly onSelect: (id: string) => void,
    private readonly onCount: (shown: number, total: number) => void = () => {},
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
    this.top = el('tr', 'spacer');
    this.bottom = el('tr', 'spacer');
    this.top.append(el('td'));
    this.bottom.append(el('td'));
    (this.top.firstChild as HTMLTableCellElement).colSpan = COLUMNS.length;
    (this.bottom.firstChild as HTMLTableCellElement).colSpan = COLUMNS.length;
    this.tbody.append(this.top, this.bottom);
    this.tbody.addEventListener('click', (e) => {
      const tr = (e.target as HTMLElement).closest('tr');
      const id = tr?.dataset.id;
      if (id) this.onSelect(id);
    });
    scroller.addEventListener('scroll', () => {
      this.scrollPx = null;
      this.schedule();
    }, { passive: true });
    new ResizeObserver(() => {
      this.viewPx = null;
      this.scrollPx = null;
      this.schedule();
    }).observe(scroller);
    this.markSort();
  }

  setFilter(text: string): void {
    this.filter = text;
    this.reorder();
    this.scroller.scrollTop = 0;
    this.scrollPx = null;
    this.render();
  }

  sortBy(key: ColumnKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      this.sortDir = 1;
    }
    this.markSort();
    this.reorder();
    this.render();
  }

  private markSort(): void {
    for (const th of this.headers) {
      const on = th.dataset.key === this.sortKey;
      th.classList.toggle('sorted', on);
      th.setAttribute('aria-sort', on ? (this.sortDir === 1 ? 'ascending' : 'descending') : 'none');
    }
  }

  /**
   * `idsVersion` (Picture.idsVersion) changes whenever a track joins or leaves: ordered by id, unfiltered, a table no
   * track joined or left keeps its order (no pass over the tracks); the drawn rows show the tracks' latest values.
   */
  update(tracks: ReadonlyMap<string, WireTrack> | readonly WireTrack[], selectedId: string | null, idsVersion = NaN): void {
    this.all = tracks;
    this.selectedId = selectedId;
    // Hidden (another tab is open) and unfiltered: only the count line; sorted when it shows again. (An attribute
    // walk up the tree: offsetParent would force a layout.)
    if (this.filter.trim() === '' && this.scroller.closest('[hidden]') !== null) {
      this.stale = true;
      const n = tracks instanceof Map ? tracks.size : (tracks as readonly WireTrack[]).length;
      this.total = n;
      this.onCount(n, n);
      return;
    }
    if (!(this.sortKey === 'id' && this.filter.trim() === '' && !this.stale && idsVersion === this.idsVersion)) {
      this.reorder();
      this.idsVersion = idsVersion;
    }
    this.render();
  }
  /** Picture.idsVersion the order was computed at (NaN: none, or a sort or filter since). */
  private idsVersion = NaN;

  /** The track's latest object (the order may date from an earlier frame). */
  private current(t: WireTrack): WireTrack {
    const all = this.all;
    return all instanceof Map ? ((all as ReadonlyMap<string, WireTrack>).get(t.id) ?? t) : t;
  }

  /** Ids in table order after sort and filter (all of them, not only the drawn rows). */
  orderedIds(): string[] {
    if (this.stale) this.reorder();
    return this.order.map((t) => t.id);
  }

  /** Rows that exist in the DOM now. */
  domRows(): number {
    return this.tbody.rows.length - 2;
  }

  scrollToSelected(): void {
    if (!this.selectedId) return;
    if (this.stale) this.reorder();
    const i = this.order.findIndex((t) => t.id === this.selectedId);
    if (i < 0) return;
    const top = i * ROW_H;
    const head = this.scroller.querySelector('thead')?.getBoundingClientRect().height ?? ROW_H;
    const view = this.scroller.clientHeight - head;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_H > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_H - view;
    this.scrollPx = null;
    this.render();
  }

  private reorder(): void {
    const all = this.all;
    const { order, total } = this.sorter.update(all instanceof Map ? all.values() : (all as readonly WireTrack[]), this.sortKey, this.sortDir, this.filter);
    this.order = order;
    this.total = total;
    this.stale = false;
    this.onCount(order.length, total);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private render(): void {
    if (this.stale) this.reorder();
    const n = this.order.length;
    const first = Math.max(0, Math.floor((this.scrollPx ??= this.scroller.scrollTop) / ROW_H) - OVERSCAN);
    const visible = Math.ceil(Math.max((this.viewPx ??= this.scroller.clientHeight), ROW_H * 10) / ROW_H) + 2 * OVERSCAN;
    const last = Math.min(n, first + visible);
    const count = Math.max(0, last - first);
    while (this.pool.length < count) {
      const tr = el('tr');
      this.pool.push({ tr, cells: COLUMNS.map(() => tr.insertCell()), texts: COLUMNS.map(() => null), id: null, flags: -1 });
    }
    // Attach exactly `count` pooled rows between the spacers, in order.
    for (let i = 0; i < this.pool.length; i++) {
      const row = this.pool[i]!;
      if (i < count) {
        if (row.tr.parentNode !== this.tbody) this.tbody.insertBefore(row.tr, this.bottom);
        this.fill(row, this.current(this.order[first + i]!));
      } else if (row.tr.parentNode) row.tr.remove();
    }
    if (first !== this.spacers[0] || n - last !== this.spacers[1]) {
      this.spacers = [first, n - last];
      this.top.style.height = `${first * ROW_H}px`;
      this.bottom.style.height = `${(n - last) * ROW_H}px`;
      this.top.hidden = first === 0;
      this.bottom.hidden = n === last;
    }
  }

  private fill(row: Row, t: WireTrack): void {
    if (row.id !== t.id) {
      row.tr.dataset.id = t.id;
      row.id = t.id;
    }
    for (let i = 0; i < COLUMNS.length; i++) {
      const text = COLUMNS[i]!.text(t);
      if (row.texts[i] !== text) {
        row.cells[i]!.textContent = text;
        row.texts[i] = text;
      }
    }
    const flags = (t.st === 'K' ? COASTING : 0) | (t.id === this.selectedId ? SELECTED : 0) | (t.m3a === '7500' || t.m3a === '7600' || t.m3a === '7700' ? EMERGENCY : 0);
    if (flags === row.flags) return;
    row.flags = flags;
    row.tr.classList.toggle('coasting', (flags & COASTING) !== 0);
    row.tr.classList.toggle('selected', (flags & SELECTED) !== 0);
    row.tr.classList.toggle('emergency', (flags & EMERGENCY) !== 0);
  }
}
