// The time bar: pause the picture, scrub back over the recording, replay it
// at 1x-60x, and return to live.
//
// Playback fetches GET /api/history (chunks of recorded frames ahead of the
// play head) instead of adding replay messages to the WebSocket:
// - one enforcement point: the page replays exactly what the history API
//   and the exports give this partner (src/record/history.ts: frames of the
//   audience it saw at each time), not a second path that could diverge;
// - no replay state per client on the server (a scrub is one stateless,
//   indexed query; any number of operators scrub independently), and the
//   live WebSocket, whose frame encoding is changing, is left alone: it keeps
//   running under the replay, so going back to live is immediate;
// - at high speed frames are thinned on the server (`step`), so 60x costs
//   about one frame per 100 ms of wall time, not 60.
// While replaying, the page never mixes a live frame into the picture: main
// asks hold() for every live frame and drops it in replay mode.
//
// The alert list follows the play head too: GET /api/history/alerts gives
// the alerts this partner had listed over a window, as the live server
// recorded them (src/alert/journal.ts), each with the stretch it was listed
// and when it was cleared or acknowledged (by this partner); the bar shows
// the list as it was at the play head, read-only. Live alert messages are
// held back meanwhile (holdAlerts) and the newest is shown again on return
// to live.
//
// Export saves the window the bar shows (from the start of the recording to
// the play head, or to the live edge when live) through GET /api/export with
// the session's token, so the file holds exactly what the export API gives
// this partner and the export is audited like any other. A plain link cannot
// carry the bearer token (the token never goes into a URL), hence fetch +
// Blob + a temporary <a download>.
//
// On a replay server (`serve --replay`: GET /api/replay answers 200) the bar
// drives that server's replay instead: the picture is the server's replayed
// frames (as they come over the WebSocket, never held back), the bar spans
// the recording and shows the replay time (polled every 0.5 s, advanced at
// the replay's speed in between), Play/Pause and the speed go to
// POST /api/replay/{resume,pause,speed}, and a click or drag on the bar to
// POST /api/replay/seek, with "seeking..." until the picture of that time
// has arrived. The replay is shared by everyone on that server, so only a
// session with the control role (the state says `control`) may move it; for
// the others the same bar is shown with its controls disabled. A frame that
// jumps in time (a seek, by anyone) starts the picture afresh, so no trail
// joins two times.

import type { WireAlert, WireStatus, WireTrack } from '../../src/serve/wire.ts';
import { ApiError, getJson } from './link.ts';

export const SPEEDS = [1, 2, 5, 10, 30, 60] as const;
export const EXPORT_FORMATS = [['csv', 'CSV'], ['geojson', 'GeoJSON'], ['kml', 'KML']] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number][0];

interface HistoryTrack {
  readonly id: string;
  readonly status: 'tentative' | 'confirmed' | 'coasting';
  readonly lat: number;
  readonly lon: number;
  readonly altM: number | null;
  readonly vE: number;
  readonly vN: number;
  readonly icao24: string | null;
  readonly mode3a: string | null;
  readonly callsign: string | null;
  readonly sensors: readonly string[];
  readonly partners: readonly string[];
}

interface HistoryAnswer {
  readonly frames: readonly { readonly t: number; readonly tracks: readonly HistoryTrack[] }[];
  readonly truncated: boolean;
  readonly nextFrom: number | null;
  readonly withheld: readonly { readonly fromS: number; readonly toS: number; readonly code: string }[];
}

/** A recorded alert and the stretch it was listed (GET /api/history/alerts). */
export type HistoryAlert = WireAlert & { readonly listedFrom: number; readonly listedTo: number };

/** The alert as it was at time x: cleared / acknowledged only once that had happened. */
export function alertAt(a: HistoryAlert, x: number): WireAlert {
  const cleared = a.clearedS !== null && a.clearedS <= x;
  const acked = a.ackS !== null && a.ackS <= x;
  const { listedFrom: _f, listedTo: _t, ...w } = a;
  return {
    ...w, state: cleared ? 'cleared' : acked ? 'acknowledged' : 'active',
    clearedS: cleared ? a.clearedS : null, clearedWhy: cleared ? a.clearedWhy : null, ackBy: acked ? a.ackBy : null, ackS: acked ? a.ackS : null,
  };
}

/** The list at time x: every recorded alert listed then. */
export const alertsAt = (list: readonly HistoryAlert[], x: number): WireAlert[] =>
  list.filter((a) => a.listedFrom <= x && x < a.listedTo && a.t <= x).map((a) => alertAt(a, x));

interface Frame {
  readonly t: number;
  readonly tracks: readonly WireTrack[];
}

/** GET /api/replay: the server's replay (src/serve/routes/replay.ts). */
export interface ServerReplay {
  readonly fromS: number;
  readonly toS: number;
  readonly atS: number;
  readonly speed: number | 'max';
  readonly paused: boolean;
  readonly seeking: boolean;
  readonly ended: boolean;
  /** This session may control it. */
  readonly control: boolean;
}

/** How often the replay's state is read on a replay server. */
const POLL_MS = 500;
/** A frame this much later (or any earlier) than the one before is a jump in time: the picture starts afresh. */
const JUMP_S = 10;

export interface TimeBarHost {
  token(): string | null;
  /** Replace the picture with a replayed frame. */
  show(t: number, tracks: readonly WireTrack[]): void;
  /** The picture switches source: 'replay' (hold live frames back) or 'live' (`last` = newest live frame, if any). */
  mode(m: 'live' | 'replay', last: Frame | null): void;
  message(text: string): void;
  /** Show this alert list: the recorded one at the play head (`recorded`), or the newest live one on return to live. */
  alerts?(list: readonly WireAlert[], recorded: boolean): void;
}

const STATUS: Record<HistoryTrack['status'], WireStatus> = { tentative: 'T', confirmed: 'C', coasting: 'K' };
const toWire = (k: HistoryTrack): WireTrack => ({
  id: k.id, st: STATUS[k.status], lat: k.lat, lon: k.lon, alt: k.altM === null ? null : Math.round(k.altM),
  vE: k.vE, vN: k.vN, cs: k.callsign, m3a: k.mode3a, icao: k.icao24, sen: k.sensors, par: k.partners,
});

const TICK_MS = 100;

/**
 * Sets a DOM property only when it changes: the bar renders 10 times a second, and writing the same text or
 * attribute again still costs the page a DOM mutation and a style recalculation each time.
 */
function put<T extends object, K extends keyof T>(o: T, k: K, v: T[K]): void {
  if (o[k] !== v) o[k] = v;
}
/** Frames at most every this much wall time: above 10x the server thins them (step). */
const FRAME_WALL_S = 0.1;

const utc = (t: number): string => new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const ago = (s: number): string => {
  const a = Math.max(0, Math.round(s));
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const sec = String(a % 60).padStart(2, '0');
  return h > 0 ? `-${h}:${String(m).padStart(2, '0')}:${sec}` : `-${m}:${sec}`;
};

export class TimeBar {
  mode: 'live' | 'replay' = 'live';
  playing = false;
  speed: number = 1;
  /** Recording time of the play head, s since epoch. */
  positionS = 0;
  /** Time of the frame on screen in replay, or null (none at that time). */
  shownT: number | null = null;
  private lastLive: Frame | null = null;
  private span: { from: number; to: number } | null = null;
  private available = false;
  /** Frames of [bufFrom, bufTo), sorted; fetched at `bufStep`. */
  private buf: Frame[] = [];
  private bufFrom = 0;
  private bufTo = 0;
  private bufStep: number | null = null;
  private fetching = false;
  private gen = 0;
  private lastTickMs = 0;
  private dragging = false;
  /** The newest live alert list (held back while replaying). */
  private lastLiveAlerts: readonly WireAlert[] = [];
  /** Recorded alerts listed in [alertsFrom, alertsTo), for the play head. */
  private alertBuf: HistoryAlert[] = [];
  private alertsFrom = 0;
  private alertsTo = 0;
  private alertsFetching = false;
  private alertsNextMs = 0;
  /** Counts entries into and out of replay: an answer for an earlier one is dropped. */
  private alertsEpoch = 0;
  /** What the list shows now (ids and states), so it is redrawn only when that changes. */
  private alertsShown = '';
  /** Recorded alerts shown at the play head (for tests and the page). */
  shownAlerts: readonly WireAlert[] = [];
  /** The server's replay (a replay server), as last read; null on a live server. */
  server: ServerReplay | null = null;
  /** performance.now() when `server` was read. */
  private serverReadMs = 0;
  private serverPolling = false;
  private serverPollMs = 0;
  /** GET /api/replay answered 404 SKY_NO_REPLAY: a live server, not polled again. */
  private serverNone = false;
  /** A seek asked for: until the picture of `t` arrives, the bar says "seeking...". `doneMs`: the server said it was done. */
  private seekTo: { t: number; doneMs: number | null } | null = null;
  private readonly el: {
    pause: HTMLButtonElement; play: HTMLButtonElement; live: HTMLButtonElement; speed: HTMLSelectElement;
    slider: HTMLInputElement; time: HTMLElement; window: HTMLElement;
    format: HTMLSelectElement; exportBtn: HTMLButtonElement;
  };
  /** An export in flight (the button is disabled meanwhile). */
  exporting = false;

  constructor(private readonly root: HTMLElement, private readonly host: TimeBarHost) {
    const mk = <K extends keyof HTMLElementTagNameMap>(tag: K, id: string, text = ''): HTMLElementTagNameMap[K] => {
      const e = document.createElement(tag);
      e.id = id;
      if (text) e.textContent = text;
      return e;
    };
    const pause = mk('button', 'tb-pause', 'Pause');
    const play = mk('button', 'tb-play', 'Play');
    const live = mk('button', 'tb-live', 'Back to live');
    for (const b of [pause, play, live]) b.type = 'button';
    pause.title = 'Freeze the picture and scrub back over the recording';
    const speed = mk('select', 'tb-speed');
    speed.setAttribute('aria-label', 'Replay speed');
    for (const s of SPEEDS) speed.append(new Option(`${s}x`, String(s)));
    const slider = mk('input', 'tb-slider');
    slider.type = 'range';
    slider.step = '1';
    slider.setAttribute('aria-label', 'Time: drag back over the recording');
    const time = mk('span', 'tb-time', 'LIVE');
    time.setAttribute('aria-live', 'polite');
    const win = mk('span', 'tb-window');
    const format = mk('select', 'tb-format');
    format.setAttribute('aria-label', 'Export format');
    for (const [v, label] of EXPORT_FORMATS) format.append(new Option(label, v));
    const exportBtn = mk('button', 'tb-export', 'Export');
    exportBtn.type = 'button';
    exportBtn.title = 'Save the recorded picture of the window shown (start of the bar to the time shown) as a file';
    const exp = mk('span', 'tb-exportbox');
    exp.append(format, exportBtn);
    root.replaceChildren(pause, play, speed, slider, time, win, exp, live);
    this.el = { pause, play, live, speed, slider, time, window: win, format, exportBtn };
    exportBtn.addEventListener('click', () => void this.exportWindow(format.value as ExportFormat));

    pause.addEventListener('click', () => this.pause());
    play.addEventListener('click', () => {
      if (this.server) void this.control(this.server.paused ? 'resume' : 'pause');
      else if (this.playing) this.stopPlaying();
      else this.play();
    });
    live.addEventListener('click', () => this.goLive());
    speed.addEventListener('change', () => {
      if (this.server) void this.control('speed', { speed: Number(speed.value) });
      else this.setSpeed(Number(speed.value));
    });
    slider.addEventListener('input', () => {
      this.dragging = true;
      if (!this.server && this.mode === 'live') this.enterReplay(Number(slider.value));
      this.el.time.textContent = `REPLAY ${utc(Number(slider.value))}`;
    });
    slider.addEventListener('change', () => {
      this.dragging = false;
      if (this.server) void this.serverSeek(Number(slider.value));
      else this.seek(Number(slider.value));
    });
    setInterval(() => this.tick(), TICK_MS);
    setInterval(() => void this.refreshSpan(), 5000);
    this.render();
  }

  /**
   * A session began: find the recorded window (the bar stays hidden without
   * a recording). `serverReplay` (GET /api/me's `replay`): the server runs a
   * replay, so the bar drives it through /api/replay; a live server is
   * never asked.
   */
  start(serverReplay: boolean): void {
    void this.refreshSpan();
    this.serverNone = !serverReplay;
    void this.pollServer();
  }

  /** Called for every live frame; true = in replay, so main must not draw it. */
  hold(t: number, tracks: readonly WireTrack[]): boolean {
    if (this.server) return this.serverFrame(t, tracks);
    this.lastLive = { t, tracks };
    if (this.mode === 'live') this.renderSlider();
    return this.mode === 'replay';
  }

  /** Called for every live alert list; true = in replay, so main must not show it (it is shown on return to live). */
  holdAlerts(list: readonly WireAlert[]): boolean {
    this.lastLiveAlerts = list;
    return this.mode === 'replay';
  }

  /** The live edge: the newest live frame, or the end of the recording. */
  private liveEdge(): number {
    return this.lastLive?.t ?? this.span?.to ?? Date.now() / 1000;
  }

  pause(): void {
    if (this.server) {
      if (!this.server.paused) void this.control('pause');
      return;
    }
    if (!this.available) return;
    if (this.mode === 'live') this.enterReplay(this.liveEdge());
    else this.stopPlaying();
  }

  play(speed?: number): void {
    if (!this.available) return;
    if (speed !== undefined) this.setSpeed(speed);
    if (this.mode === 'live') this.enterReplay(this.liveEdge());
    this.playing = true;
    this.lastTickMs = performance.now();
    this.ensureBuffer();
    this.render();
  }

  stopPlaying(): void {
    this.playing = false;
    this.render();
  }

  setSpeed(s: number): void {
    this.speed = (SPEEDS as readonly number[]).includes(s) ? s : 1;
    this.el.speed.value = String(this.speed);
    // A thinner or denser step than the buffer's: refetch from the play head.
    if (this.mode === 'replay' && this.stepFor() !== this.bufStep) this.resetBuffer();
    this.render();
  }

  /** Move the play head to `t` (clamped to the recording), keeping play/pause. */
  seek(t: number): void {
    if (!this.available) return;
    if (this.mode === 'live') this.enterReplay(t);
    const lo = this.span?.from ?? t;
    this.positionS = Math.min(Math.max(t, lo), this.liveEdge());
    if (this.positionS < this.bufFrom || this.positionS >= this.bufTo) this.resetBuffer();
    else this.showAt(this.positionS);
    this.syncAlerts();
    this.render();
  }

  goLive(): void {
    if (this.mode === 'live') return;
    this.mode = 'live';
    this.playing = false;
    this.gen++;
    this.buf = [];
    this.bufFrom = this.bufTo = 0;
    this.shownT = null;
    this.alertBuf = [];
    this.alertsFrom = this.alertsTo = 0;
    this.alertsShown = '';
    this.shownAlerts = [];
    this.alertsEpoch++;
    document.body.dataset.replay = '';
    this.host.mode('live', this.lastLive);
    this.host.alerts?.(this.lastLiveAlerts, false);
    this.render();
  }

  private enterReplay(t: number): void {
    this.mode = 'replay';
    this.playing = false;
    this.positionS = t;
    this.shownT = null;
    document.body.dataset.replay = '1';
    this.host.mode('replay', null);
    this.alertBuf = [];
    this.alertsFrom = this.alertsTo = 0;
    this.alertsShown = '';
    this.shownAlerts = [];
    this.alertsEpoch++;
    this.alertsNextMs = 0;
    // Until the recorded list arrives, no live alert stays on show as if it were the past's.
    this.host.alerts?.([], true);
    this.resetBuffer();
  }

  /** The alert list at the play head: from the buffer, or fetched when the play head left it. */
  private syncAlerts(): void {
    if (this.mode !== 'replay') return;
    const x = this.positionS;
    if (x < this.alertsFrom || x >= this.alertsTo) {
      this.fetchAlerts();
      return;
    }
    const list = alertsAt(this.alertBuf, x);
    const key = list.map((a) => `${a.id}@${a.t}:${a.state}`).join(',');
    if (key === this.alertsShown) return;
    this.alertsShown = key;
    this.shownAlerts = list;
    this.host.alerts?.(list, true);
  }

  /** Recorded alerts from the play head on (a window of a minute or more, up to the live edge). */
  private fetchAlerts(): void {
    const token = this.host.token();
    if (!token || this.alertsFetching || performance.now() < this.alertsNextMs) return;
    const epoch = this.alertsEpoch;
    const from = this.positionS;
    const edge = this.liveEdge();
    const to = Math.min(from + Math.max(120, this.speed * 60), edge + 1);
    if (!(to > from)) return;
    this.alertsFetching = true;
    // At most one query a second while the play head sits where nothing more is recorded yet (the live edge).
    this.alertsNextMs = performance.now() + 1000;
    getJson<{ alerts: readonly HistoryAlert[]; withheld: readonly unknown[] }>(`/api/history/alerts?from=${from}&to=${to}`, token).then(
      (r) => {
        this.alertsFetching = false;
        // A seek meanwhile is fine (syncAlerts fetches again if the play head left this window); a return to live is not.
        if (epoch !== this.alertsEpoch) return;
        this.alertBuf = [...r.alerts];
        this.alertsFrom = from;
        // Near the live edge the newest changes may not be committed yet: fetch again once the play head gets there.
        this.alertsTo = to > edge - 2 ? Math.max(from + 1e-3, edge - 2) : to;
        this.alertsShown = '\u0000';
        this.syncAlerts();
      },
      (err: unknown) => {
        this.alertsFetching = false;
        this.host.message(`replay: alerts not loaded: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`);
      },
    );
  }

  private stepFor(): number | null {
    const s = this.speed * FRAME_WALL_S;
    return s > 1 ? Math.round(s) : null;
  }

  private resetBuffer(): void {
    this.gen++;
    this.buf = [];
    this.bufFrom = this.bufTo = this.positionS;
    this.bufStep = this.stepFor();
    this.fetching = false;
    this.ensureBuffer(true);
  }

  /** Fetch the next chunk when less than ~10 s of wall time is buffered ahead of the play head. */
  private ensureBuffer(first = false): void {
    if (this.mode !== 'replay' || this.fetching) return;
    const token = this.host.token();
    if (!token) return;
    const ahead = this.bufTo - this.positionS;
    const edge = this.liveEdge();
    if (!first && (ahead > this.speed * 10 || this.bufTo >= edge)) return;
    // The frame on screen at the play head may be up to a period (or a step) before it.
    const from = first ? this.positionS - Math.max(2, this.bufStep ?? 0) : this.bufTo;
    const to = Math.min(Math.max(from + 60, from + this.speed * 30), edge + 1);
    if (!(to > from)) return;
    const gen = this.gen;
    this.fetching = true;
    const step = this.bufStep;
    const q = `/api/history?from=${from}&to=${to}${step ? `&step=${step}` : ''}`;
    getJson<HistoryAnswer>(q, token).then(
      (r) => {
        if (gen !== this.gen) return;
        this.fetching = false;
        if (first) this.bufFrom = from;
        for (const f of r.frames) this.buf.push({ t: f.t, tracks: f.tracks.map(toWire) });
        // Near the live edge the recorder may not have committed the newest frames yet: covered only up to the last one.
        const last = r.frames.length ? r.frames[r.frames.length - 1]!.t + 1e-3 : from;
        this.bufTo = r.truncated && r.nextFrom !== null ? r.nextFrom : to > this.liveEdge() - 2 ? Math.max(from, last) : to;
        if (r.withheld.length) this.host.message(`replay: ${r.withheld.length} stretch(es) withheld (${r.withheld[0]!.code}): the recording no longer proves what your partner saw then`);
        this.showAt(this.positionS);
        this.ensureBuffer();
      },
      (err: unknown) => {
        if (gen !== this.gen) return;
        this.fetching = false;
        this.host.message(`replay: history not loaded: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`);
        this.playing = false;
        this.render();
      },
    );
  }

  /** Show the newest buffered frame at or before `t` (the picture as it was at t). */
  private showAt(t: number): void {
    let lo = 0;
    let hi = this.buf.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.buf[mid]!.t <= t) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) {
      if (this.bufTo > t && !this.fetching && this.shownT !== null) {
        this.shownT = null;
        this.host.show(t, []);
      }
      return;
    }
    const f = this.buf[best]!;
    if (f.t !== this.shownT) {
      this.shownT = f.t;
      this.host.show(f.t, f.tracks);
    }
    // Frames well behind the play head are not needed again (a seek back refetches).
    if (best > 600) {
      this.buf.splice(0, best - 10);
      this.bufFrom = this.buf[0]!.t;
    }
  }

  private tick(): void {
    const now = performance.now();
    if (this.server) {
      if (now - this.serverPollMs >= POLL_MS) void this.pollServer();
      this.render();
      return;
    }
    if (this.mode === 'replay' && this.playing) {
      this.positionS += ((now - this.lastTickMs) / 1000) * this.speed;
      if (this.positionS >= this.liveEdge()) {
        this.goLive();
        return;
      }
      this.showAt(this.positionS);
      this.ensureBuffer();
    }
    this.syncAlerts();
    this.lastTickMs = now;
    this.render();
  }

  /** The window the bar shows: start of the recording to the play head (replay) or the live edge (live), s since epoch. */
  exportRange(): { from: number; to: number } | null {
    if (!this.span) return null;
    const from = Math.floor(this.span.from);
    const to = Math.ceil(this.mode === 'replay' ? this.positionS : this.liveEdge());
    return to > from ? { from, to } : null;
  }

  /** Fetch the window's export with the session's token and save it; false (and a message) when it failed. */
  async exportWindow(format: ExportFormat): Promise<boolean> {
    const token = this.host.token();
    const w = this.exportRange();
    if (!token || !w || this.exporting) return false;
    this.exporting = true;
    this.render();
    try {
      const res = await fetch(`/api/export?from=${w.from}&to=${w.to}&format=${encodeURIComponent(format)}`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (!res.ok) {
        const e = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
        this.host.message(`export: ${e?.error ?? `HTTP ${res.status}`} ${e?.message ?? ''}`.trim());
        return false;
      }
      // The server names the file (partner and window); the fallback only if a proxy dropped the header.
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `skyfuse-${w.from}-${w.to}.${format}`;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      // Revoked later: some browsers read the blob after click() returns.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return true;
    } catch (err) {
      this.host.message(`export: not saved: ${String(err)}`);
      return false;
    } finally {
      this.exporting = false;
      this.render();
    }
  }

  private async refreshSpan(): Promise<void> {
    const token = this.host.token();
    if (!token) return;
    try {
      const s = await getJson<{ from: number | null; to: number | null }>('/api/history/span', token);
      this.span = s.from !== null && s.to !== null ? { from: s.from, to: s.to } : null;
      this.available = this.span !== null;
    } catch (err) {
      // SKY_NO_RECORDING: this server keeps no history; the bar says so and stays inert.
      this.available = false;
      this.span = null;
      if (err instanceof ApiError && err.code === 'SKY_NO_RECORDING') this.root.dataset.state = 'none';
    }
    this.render();
  }

  private renderSlider(): void {
    if (this.dragging || this.server) return;
    const s = this.el.slider;
    const lo = Math.floor(this.span?.from ?? 0);
    const hi = Math.ceil(this.liveEdge());
    put(s, 'min', String(lo));
    put(s, 'max', String(hi));
    put(s, 'value', String(Math.round(this.mode === 'live' ? hi : this.positionS)));
  }

  private render(): void {
    if (this.server) {
      this.renderServer();
      return;
    }
    const e = this.el;
    put(this.root, 'hidden', false);
    put(this.root.dataset, 'mode', this.mode);
    if (!this.available) this.root.dataset.state = this.root.dataset.state === 'none' ? 'none' : 'loading';
    else this.root.dataset.state = 'ready';
    const replay = this.mode === 'replay';
    put(e.pause, 'hidden', replay);
    put(e.pause, 'disabled', !this.available);
    put(e.play, 'hidden', !replay);
    put(e.play, 'textContent', this.playing ? 'Pause' : 'Play');
    put(e.live, 'hidden', !replay);
    put(e.slider, 'disabled', !this.available);
    put(e.format, 'disabled', !this.available);
    put(e.exportBtn, 'disabled', !this.available || this.exporting);
    put(e.exportBtn, 'textContent', this.exporting ? 'Exporting...' : 'Export');
    this.renderSlider();
    if (!this.available) {
      put(e.time, 'textContent', this.root.dataset.state === 'none' ? 'LIVE (no recording: no time bar)' : 'LIVE');
      put(e.window, 'textContent', '');
      return;
    }
    if (replay) {
      const shown = this.shownT === null ? 'no recorded picture' : `picture of ${utc(this.shownT)}`;
      put(e.time, 'textContent', `REPLAY ${utc(this.positionS)}`);
      put(e.window, 'textContent', `${ago(this.liveEdge() - this.positionS)} | ${this.playing ? `${this.speed}x` : 'paused'} | ${shown}`);
    } else {
      put(e.time, 'textContent', 'LIVE');
      put(e.window, 'textContent', this.span ? `recorded from ${utc(this.span.from)}` : '');
    }
  }
  // --- A replay server (serve --replay): the bar drives its replay through /api/replay.

  /** Reads GET /api/replay; the first answer turns the bar into the replay server's control. */
  private async pollServer(): Promise<void> {
    const token = this.host.token();
    if (!token || this.serverPolling || this.serverNone) return;
    this.serverPolling = true;
    this.serverPollMs = performance.now();
    try {
      const s = await getJson<ServerReplay>('/api/replay', token);
      const first = this.server === null;
      this.setServer(s);
      if (first) {
        // The history playback of a live server does not apply: the picture is the server's replay.
        if (this.mode === 'replay') this.goLive();
        this.available = true;
        document.body.dataset.replay = '1';
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SKY_NO_REPLAY') this.serverNone = true;
    } finally {
      this.serverPolling = false;
      this.render();
    }
  }

  private setServer(s: ServerReplay): void {
    this.server = s;
    this.serverReadMs = performance.now();
    if (this.seekTo && !s.seeking && this.seekTo.doneMs === null) this.seekTo.doneMs = performance.now();
  }

  /** The replay time now: as last read, advanced at its speed while it plays. */
  serverAtS(): number {
    const s = this.server;
    if (!s) return 0;
    if (this.seekTo) return this.seekTo.t;
    if (s.paused || s.seeking || s.ended || s.speed === 'max') return s.atS;
    return Math.min(s.toS, s.atS + ((performance.now() - this.serverReadMs) / 1000) * s.speed);
  }

  /** A seek is under way: asked for here and its picture not yet arrived, or the server re-running (anyone's seek). */
  get seeking(): boolean {
    if (this.server?.seeking) return true;
    const k = this.seekTo;
    // No frame of that time may come (nothing recorded yet then): 2 s after the server is done, the bar stops waiting.
    if (k && k.doneMs !== null && performance.now() - k.doneMs > 2000) this.seekTo = null;
    return this.seekTo !== null;
  }

  /** A replayed frame: drawn by main, or here from scratch when it jumps in time (a seek). */
  private serverFrame(t: number, tracks: readonly WireTrack[]): boolean {
    const prev = this.lastLive;
    this.lastLive = { t, tracks };
    let jump = prev !== null && (t < prev.t || t - prev.t > JUMP_S);
    // The picture of a seek: each audience's latest frame at or before the time sought (a frame trails its
    // tick by the reordering window, so up to a few seconds before).
    const k = this.seekTo;
    if (k && t <= k.t + 0.5 && t >= k.t - 5) {
      this.seekTo = null;
      jump = true;
    }
    if (!jump) return false;
    this.host.mode('live', { t, tracks });
    this.render();
    return true;
  }

  /** POST /api/replay/{action}; the answer is the new state (a refusal is shown as a message). */
  private async control(action: 'pause' | 'resume' | 'speed' | 'seek', body?: Record<string, unknown>): Promise<boolean> {
    const token = this.host.token();
    if (!token || !this.server?.control) return false;
    try {
      const res = await fetch(`/api/replay/${action}`, {
        method: 'POST', cache: 'no-store',
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const j = (await res.json().catch(() => null)) as (ServerReplay & { error?: string; message?: string }) | null;
      if (!res.ok || !j) {
        this.host.message(`replay: ${j?.error ?? `HTTP ${res.status}`} ${j?.message ?? ''}`.trim());
        return false;
      }
      this.setServer(j);
      return true;
    } catch (err) {
      this.host.message(`replay: ${action} failed: ${String(err)}`);
      return false;
    } finally {
      this.render();
    }
  }

  /** Seek the server's replay to `t` (clamped to the recording). */
  async serverSeek(t: number): Promise<boolean> {
    const s = this.server;
    if (!s?.control) return false;
    const to = Math.min(Math.max(t, s.fromS), s.toS);
    this.seekTo = { t: to, doneMs: null };
    this.render();
    const ok = await this.control('seek', { timeS: to });
    if (!ok) this.seekTo = null;
    this.render();
    return ok;
  }

  private renderServer(): void {
    const e = this.el;
    const s = this.server!;
    const at = this.serverAtS();
    const seeking = this.seeking;
    put(this.root, 'hidden', false);
    put(this.root.dataset, 'mode', 'replay');
    put(this.root.dataset, 'state', 'ready');
    put(this.root.dataset, 'server', 'replay');
    put(this.root.dataset, 'seeking', seeking ? '1' : '');
    put(e.pause, 'hidden', true);
    put(e.live, 'hidden', true);
    put(e.play, 'hidden', false);
    put(e.play, 'textContent', s.paused ? 'Play' : 'Pause');
    put(e.play, 'disabled', !s.control || (s.paused && s.ended));
    put(e.speed, 'disabled', !s.control);
    if (document.activeElement !== e.speed && typeof s.speed === 'number') e.speed.value = String(s.speed);
    put(e.slider, 'disabled', !s.control);
    const title = s.control ? 'Click or drag to jump the replay to that time (for everyone on this server)' : 'Only a coalition administrator controls this replay';
    for (const el of [e.slider, e.play, e.speed]) put(el, 'title', title);
    put(e.format, 'disabled', !this.available);
    put(e.exportBtn, 'disabled', !this.available || this.exporting);
    put(e.exportBtn, 'textContent', this.exporting ? 'Exporting...' : 'Export');
    if (!this.dragging) {
      put(e.slider, 'min', String(Math.floor(s.fromS)));
      put(e.slider, 'max', String(Math.ceil(s.toS)));
      put(e.slider, 'value', String(Math.round(at)));
      put(e.time, 'textContent', `REPLAY ${utc(at)}`);
    }
    const pace = seeking ? 'seeking...' : s.ended ? 'end of recording' : s.paused ? 'paused' : s.speed === 'max' ? 'max speed' : `${s.speed}x`;
    put(e.window, 'textContent', `${pace} | recording ${utc(s.fromS)} to ${utc(s.toS)}${s.control ? '' : ' | controlled by a coalition administrator'}`);
  }
}
