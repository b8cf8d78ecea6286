// The operations room: map with the partner's picture, track table, details
// and status bar, behind a login form. Everything comes from this page's own
// server (same origin); the page makes no request to any other host.

import type { Map as MlMap, MapMouseEvent } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { WireAlert, WireEvent, WireMessage, WireTrack } from '../../src/serve/wire.ts';
import { AFFILIATIONS, type Affiliation, friendlyBlocks } from './affiliation.ts';
import { AlertList } from './alerts.ts';
import { AlertCue, type CueRecord } from './cue.ts';
import { type IconAtlas, buildAtlas, cellStats, iconName } from './atlas.ts';
import { geodesicCircle } from './geo.ts';
import { LabelOverlay } from './labels.ts';
import { Link, type Me, forgetToken, getJson, isRefusal, login, logout, postJson, storeToken, takeToken } from './link.ts';
import { AIRPORT_LAYERS, RING_LAYER, RING_STEP_M, SENSOR_LAYER, basemapTiles, createMap, loadAirports, loadCountries, setSource } from './map.ts';
import { type CoalitionInfo, type LinkState, StatusBar, renderDetails, renderLegend } from './panel.ts';
import { Picture } from './picture.ts';
import { type SensorInfo, SensorPanel } from './sensors.ts';
import { TrackTable } from './table.ts';
import { TrackLayer } from './tracklayer.ts';
import { TrailLayer } from './traillayer.ts';
import { PolicyPanel } from './policy.ts';
import { TimeBar } from './timebar.ts';

declare global {
  interface Window {
    __skyfuse?: {
      trackCount(): number;
      frameTime(): number | null;
      renderedTrackIds(): string[];
      /** id -> [lon, lat] as read back from the track layer's last upload, tracks in view. */
      renderedTrackPositions(): Record<string, [number, number]>;
      /** Where a track is on screen (page pixels), null if unknown. */
      trackScreenPoint(id: string): [number, number] | null;
      labelCount(): number;
      /** Main-thread milliseconds spent applying the last frame (table, GeoJSON, labels scheduling). */
      lastUpdateMs(): number;
      /** Main-thread milliseconds of the last label-overlay redraw. */
      lastLabelMs(): number;
      /**
       * Per applied frame since the last reset: main-thread decode (of every message since the previous applied
       * frame, those dropped as superseded included: for v2, handing it to the decoder worker and applying its
       * patch), apply, and the decoder worker's time on those messages (off the main thread); and each label redraw.
       */
      updateStats(reset?: boolean): { frames: number; parseMs: number[]; applyMs: number[]; labelMs: number[]; workerMs: number[] };
      select(id: string | null): void;
      /** id -> icon name, read back from what the track layer drew (its arrays as last uploaded), tracks in view. */
      renderedSymbols(): Record<string, string>;
      /** Ids drawn with the flashing emergency halo. */
      renderedEmergencies(): string[];
      /** Per affiliation: is the atlas on the GPU (track layer), and the atlas cell's drawn pixels and mean fill colour. */
      atlas(): Record<Affiliation, { inMap: boolean; opaque: number; rgb: [number, number, number] }>;
      /** Track-table rows present in the DOM, and the ids of the whole (filtered, sorted) table. */
      tableDomRows(): number;
      tableOrder(): string[];
      alerts(): WireAlert[];
      /** Sensor id -> range rings (distinct NM values) read back from the rendered ring layer. */
      renderedRings(): Record<string, number>;
      /** Sensor id -> plots/s shown in the sensor panel (after two polls). */
      sensorRates(): Record<string, number | null>;
      /** The WebSocket subprotocol in use ('skyfuse.v2' binary frames, 'skyfuse.v1' JSON), '' when not connected. */
      wire(): string;
      /** Audible alert cues so far (cue.ts), oldest first, with the peak level read back from the audio graph. */
      cues(): CueRecord[];
      /** ICAO codes of the airports drawn on the map now (read back from MapLibre's rendered layers). */
      renderedAirports(): string[];
      /** Airport codes the label overlay wrote in its last redraw. */
      airportLabels(): string[];
      /** The map's view, and a jump to another (no animation). */
      view(): { lon: number; lat: number; zoom: number };
      jumpTo(v: { lon: number; lat: number; zoom: number }): void;
      /** Binary frames this session decoded in the decoder worker, and on the main thread (no worker). */
      decoded(): { worker: number; main: number };
      /** Frames drawn since the last reset: frame time and wall clock (ms since epoch) of the first map render with it loaded. */
      drawLog(reset?: boolean): { t: number; drawnMs: number }[];
    };
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page is missing #${id}`);
  return e as T;
};

/** A sensor not heard from (north marker) for this many rotations is shown silent. */
const SILENT_ROTATIONS = 3;

function sensorsGeoJSON(
  c: CoalitionInfo,
  lastHeardMs: ReadonlyMap<string, number>,
  nowMs: number,
  hidden: ReadonlySet<string>,
  served: readonly SensorInfo[],
  rings: boolean,
): FeatureCollection {
  const features: Feature<Geometry>[] = [];
  for (const s of c.sensors) {
    if (!hidden.has(s.id)) {
      features.push({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [geodesicCircle(s.lat, s.lon, s.maxRangeM)] },
        properties: { kind: 'coverage', id: s.id },
      });
      // Range rings inside the coverage, with the sensor's coverage toggle.
      for (let k = 1; rings && k * RING_STEP_M < s.maxRangeM; k++) {
        features.push({
          type: 'Feature',
          geometry: { type: 'LineString', coordinates: geodesicCircle(s.lat, s.lon, k * RING_STEP_M, 96) },
          properties: { kind: 'ring', id: s.id, nm: k * 50 },
        });
      }
    }
    const heard = lastHeardMs.get(s.id);
    const status = served.find((x) => x.id === s.id)?.status;
    const health =
      status === 'outage' ? 'silent'
      : heard === undefined ? 'unknown' : s.rotationS !== null && nowMs - heard > SILENT_ROTATIONS * s.rotationS * 1000 ? 'silent' : 'heard';
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [s.lon, s.lat] }, properties: { kind: 'sensor', id: s.id, health } });
  }
  return { type: 'FeatureCollection', features };
}

function main(): void {
  const status = new StatusBar($('conn'), $('data-time'), $('track-count'), $('alert'));
  let linkState: LinkState = 'connecting';
  const setLink = (s: LinkState, detail?: string) => {
    linkState = s;
    status.link(s, detail);
  };
  const picture = new Picture();
  let selectedId: string | null = null;
  let coalition: CoalitionInfo | null = null;
  let lastUpdateMs = 0;
  const stats = { frames: 0, parseMs: [] as number[], applyMs: [] as number[], labelMs: [] as number[], workerMs: [] as number[] };
  let lastFrameWallMs = 0;
  const lastHeardMs = new Map<string, number>();
  let inputAlerts = 0;
  /** Server-to-screen latency: when the track layer first drew each frame (tracklayer.ts onDrawn). */
  const drawLog: { t: number; drawnMs: number }[] = [];

  const map: MlMap = createMap($('map'), new URL('assets/maplibre-gl-worker.mjs', location.href).href, basemapTiles(document.body.dataset.tiles));
  const labels = new LabelOverlay(map, $<HTMLCanvasElement>('labels'));
  labels.onDrawn = (ms) => {
    if (stats.labelMs.length < 10_000) stats.labelMs.push(ms);
  };
  const details = $('details');
  const tracksCount = $('tracks-count');
  const table = new TrackTable($('table-wrap'), $<HTMLTableElement>('track-table'), (id) => select(id, true), (shown, total) => {
    tracksCount.textContent = shown === total ? String(total) : `${shown}/${total}`;
  });
  let atlas: IconAtlas | null = null;
  try {
    atlas = buildAtlas();
  } catch (err) {
    status.message(`symbols not drawn: ${String(err)}`);
  }
  renderLegend($('legend'), atlas?.svg);
  const trackLayer = new TrackLayer(atlas);
  const trailLayer = new TrailLayer();
  let trailVersion = -1;
  labels.projectTo = (lon, lat, out) => {
    if (trackLayer.projectTo(lon, lat, out)) return true;
    const p = map.project([lon, lat]);
    out.x = p.x;
    out.y = p.y;
    return true;
  };
  trackLayer.onDrawn = (t) => {
    if (drawLog.length < 10_000) drawLog.push({ t, drawnMs: Date.now() });
  };
  renderDetails(details, null, null, null);
  status.frame(null, 0);

  // Tabs: tracks, alerts, sensors.
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('#tabs [data-tab]')];
  const showTab = (name: string) => {
    for (const b of tabs) {
      const on = b.dataset.tab === name;
      b.setAttribute('aria-selected', String(on));
      $(`pane-${b.dataset.tab}`).hidden = !on;
    }
    if (name === 'sensors') sensorPanel.render(picture.frameTimeS ?? Date.now() / 1000);
    alertList.setVisible(name === 'alerts');
  };
  for (const b of tabs) b.addEventListener('click', () => showTab(b.dataset.tab ?? 'tracks'));
  // Release policy: a tab for partner administrators only (the server enforces it too).
  const policyPanel = new PolicyPanel($('policy-panel'));
  const policyTab = $('tab-policy');

  const filterBox = $<HTMLInputElement>('track-filter');
  filterBox.addEventListener('input', () => table.setFilter(filterBox.value));
  const trailBox = $<HTMLInputElement>('trail-length');
  trailBox.addEventListener('change', () => {
    picture.setTrailLength(Number(trailBox.value) || 20);
    drawPicture();
  });

  // Alerts: the server's, for this partner's picture only.
  // The audible cue: on unless the operator muted it in this browser.
  const cue = new AlertCue();
  const soundButton = $<HTMLButtonElement>('sound');
  const showMuted = (muted: boolean) => {
    soundButton.textContent = muted ? 'Sound muted' : 'Sound on';
    soundButton.setAttribute('aria-pressed', String(!muted));
  };
  cue.onMuted = showMuted;
  showMuted(cue.muted);
  soundButton.addEventListener('click', () => cue.setMuted(!cue.muted));
  const alertBadge = $<HTMLButtonElement>('alert-badge');
  const alertsCount = $('alerts-count');
  const alertList = new AlertList($('alert-list'), {
    select: (a) => {
      if (a.trackId && picture.tracks.has(a.trackId)) select(a.trackId);
      if (a.lat !== null && a.lon !== null) map.easeTo({ center: [a.lon, a.lat], duration: 400 });
    },
    ack: (a) => {
      if (!session) return;
      postJson<WireAlert>(`/api/alerts/${encodeURIComponent(a.id)}/ack`, session.token).then(
        (v) => setAlerts(alertList.all.map((x) => (x.id === v.id ? v : x))),
        (err: unknown) => status.message(`acknowledge failed: ${String(err)}`),
      );
    },
  });
  /** `recorded`: the time bar's list at the replayed time (read-only), not the live one. */
  const setAlerts = (list: readonly WireAlert[], recorded = false) => {
    alertList.set(list, recorded);
    // Sound for newly raised live alerts; the recorded ones of a replayed time never sound.
    if (!recorded) cue.update(list);
    const active = alertList.active();
    const emergency = active.some((a) => a.severity === 'emergency');
    alertsCount.textContent = active.length ? String(active.length) : '';
    alertsCount.dataset.severity = emergency ? 'emergency' : active.length ? 'warning' : '';
    alertBadge.hidden = active.length === 0;
    alertBadge.textContent = `${active.length} alert${active.length === 1 ? '' : 's'}${emergency ? ': EMERGENCY' : ''}`;
    alertBadge.dataset.severity = emergency ? 'emergency' : 'warning';
  };
  alertBadge.addEventListener('click', () => showTab('alerts'));
  alertList.set([]);
  alertList.setVisible(!$('pane-alerts').hidden);

  // Sensors: GET /api/sensors (health and registration as this picture sees them).
  const sensorPanel = new SensorPanel($('sensor-panel'), () => drawSensors(), (s) => map.easeTo({ center: [s.lon, s.lat], duration: 400 }));
  const loadSensors = (token: string) =>
    getJson<{ sensors: SensorInfo[] }>('/api/sensors', token).then(
      (r) => {
        sensorPanel.set(r.sensors, picture.frameTimeS ?? Date.now() / 1000);
        drawSensors();
      },
      (err: unknown) => {
        if (isRefusal(err)) endSession(err.code);
      },
    );

  let styleReady = false;
  const pending: { picture: boolean; sensors: boolean } = { picture: false, sensors: false };

  const drawPicture = () => {
    if (!styleReady) {
      pending.picture = true;
      return;
    }
    trackLayer.setTracks(picture.tracks, selectedId, (t) => picture.affiliation(t), picture.frameTimeS);
    // One trail position per picture update (GPU ring buffer, traillayer.ts); the picture keeps 2 x the trail length.
    if (picture.version !== trailVersion) {
      trailVersion = picture.version;
      trailLayer.setTracks(picture.tracks, trackLayer.points32, trackLayer.pointStride);
    }
    trailLayer.setLength(2 * picture.trailLength);
    labels.setTracks(picture.tracks, selectedId);
    emergencies = trackLayer.emergencies > 0;
  };
  const drawSensors = () => {
    if (!coalition) return;
    if (!styleReady) {
      pending.sensors = true;
      return;
    }
    setSource(map, 'sensors', sensorsGeoJSON(coalition, lastHeardMs, Date.now(), sensorPanel.hiddenCoverage, sensorPanel.list, sensorPanel.rings));
    labels.setSensors(coalition.sensors.map((s) => ({ id: s.id, lat: s.lat, lon: s.lon })));
  };

  function select(id: string | null, fromTable = false): void {
    selectedId = id;
    table.update(picture.tracks, selectedId, picture.idsVersion);
    if (!fromTable) table.scrollToSelected();
    showDetails();
    drawPicture();
  }

  function showDetails(): void {
    const t = selectedId ? (picture.tracks.get(selectedId) ?? null) : null;
    renderDetails(details, t, selectedId, coalition, selectedId ? picture.historyOf(selectedId) : undefined, t ? picture.affiliation(t) : undefined);
  }

  // Emergency halos flash at 2 Hz while there is one (the audible cue is cue.ts).
  let emergencies = false;
  let flashOn = true;
  setInterval(() => {
    if (!styleReady) return;
    flashOn = emergencies ? !flashOn : true;
    if (emergencies || !flashOn) trackLayer.setFlash(flashOn);
  }, 500);

  map.on('load', () => {
    map.addLayer(trailLayer);
    map.addLayer(trackLayer);
    styleReady = true;
    loadCountries(map, new URL('assets/countries-50m.json', location.href).href).catch((err: unknown) =>
      status.message(`outlines not loaded: ${String(err)}`),
    );
    loadAirports(map, new URL('assets/airports.json', location.href).href).then(
      (places) => labels.setPlaces(places),
      (err: unknown) => status.message(`airports not loaded: ${String(err)}`),
    );
    if (pending.picture) drawPicture();
    if (pending.sensors) drawSensors();
  });

  const hitBox = (e: MapMouseEvent): [[number, number], [number, number]] => [
    [e.point.x - 6, e.point.y - 6],
    [e.point.x + 6, e.point.y + 6],
  ];
  // Tracks are hit-tested on the CPU over the track layer's arrays (10 px: the ring's radius).
  map.on('click', (e) => select(trackLayer.pick(e.point.x, e.point.y, 10)));
  map.on('mousemove', (e) => {
    const over = trackLayer.pick(e.point.x, e.point.y, 10) !== null || map.queryRenderedFeatures(hitBox(e), { layers: [SENSOR_LAYER] }).length > 0;
    map.getCanvas().style.cursor = over ? 'pointer' : '';
  });

  const onEvents = (events: readonly WireEvent[]) => {
    let sensorsChanged = false;
    for (const e of events) {
      if (e.kind === 'north-marker') {
        if (!lastHeardMs.has(e.sensorId)) sensorsChanged = true;
        lastHeardMs.set(e.sensorId, Date.now());
      } else {
        inputAlerts++;
        status.message(
          e.kind === 'bad-input'
            ? `${inputAlerts} input problem(s); last: ${e.code} ${e.message}`
            : `${inputAlerts} input problem(s); last: plots from undeclared sensor SAC ${e.sac} SIC ${e.sic}`,
        );
      }
    }
    if (sensorsChanged) drawSensors();
  };

  // Frames are applied once per animation frame, the latest only: when the map draws slower than frames arrive
  // (software WebGL, thousands of tracks), the ones in between are dropped instead of queueing, so the time from
  // server to screen stays bounded. Every v2 message is still decoded as it arrives (deltas build on each other).
  let pendingFrame: { t: number; tracks: readonly WireTrack[] } | null = null;
  let pendingParseMs = 0;
  let pendingWorkerMs = 0;
  let applyScheduled = false;
  const applyFrame = () => {
    applyScheduled = false;
    const f = pendingFrame;
    if (!f) return;
    pendingFrame = null;
    const t0 = performance.now();
    picture.update(f.t, f.tracks);
    table.update(picture.tracks, selectedId, picture.idsVersion);
    if (selectedId) showDetails();
    status.frame(picture.frameTimeS, picture.tracks.size);
    drawPicture();
    lastUpdateMs = performance.now() - t0;
    stats.frames++;
    if (stats.applyMs.length < 10_000) {
      stats.applyMs.push(lastUpdateMs);
      // Decoding every message since the last applied one, dropped ones included.
      stats.parseMs.push(pendingParseMs);
      stats.workerMs.push(pendingWorkerMs);
    }
    pendingParseMs = 0;
    pendingWorkerMs = 0;
  };

  const onMessage = (msg: WireMessage, parseMs: number, workerMs: number) => {
    if (msg.type === 'frame') {
      // Replaying (time bar): live frames never enter the picture; the link is still live.
      if (timebar.hold(msg.t, msg.tracks)) {
        lastFrameWallMs = Date.now();
        return;
      }
      pendingFrame = { t: msg.t, tracks: msg.tracks };
      pendingParseMs += parseMs;
      pendingWorkerMs += workerMs;
      lastFrameWallMs = Date.now();
      if (linkState === 'stale') setLink('live');
      if (!applyScheduled) {
        applyScheduled = true;
        requestAnimationFrame(applyFrame);
      }
    } else if (msg.type === 'alerts') {
      // Replaying (time bar): the list shows the recorded alerts; the live one comes back with live.
      if (!timebar.holdAlerts(msg.alerts)) setAlerts(msg.alerts);
    } else if (msg.type === 'events') {
      onEvents(msg.events);
    } else if (msg.type === 'coalition') {
      // Membership changed: the sensors this partner is granted may have too.
      if (session) {
        loadCoalition(session.token);
        loadSensors(session.token);
      }
    }
  };

  window.__skyfuse = {
    trackCount: () => picture.tracks.size,
    frameTime: () => picture.frameTimeS,
    renderedTrackIds: () => trackLayer.drawnInView().map((d) => d.id).sort(),
    renderedTrackPositions: () => Object.fromEntries(trackLayer.drawnInView().map((d) => [d.id, d.lonLat])),
    trackScreenPoint: (id) => {
      const t = picture.tracks.get(id);
      if (!t) return null;
      const p = map.project([t.lon, t.lat]);
      const box = map.getContainer().getBoundingClientRect();
      return [box.left + p.x, box.top + p.y];
    },
    labelCount: () => labels.drawn,
    lastUpdateMs: () => lastUpdateMs,
    lastLabelMs: () => labels.lastDrawMs,
    updateStats: (reset = false) => {
      const out = { frames: stats.frames, parseMs: [...stats.parseMs], applyMs: [...stats.applyMs], labelMs: [...stats.labelMs], workerMs: [...stats.workerMs] };
      if (reset) {
        stats.frames = 0;
        stats.parseMs.length = 0;
        stats.applyMs.length = 0;
        stats.labelMs.length = 0;
        stats.workerMs.length = 0;
      }
      return out;
    },
    select: (id) => select(id),
    renderedSymbols: () => Object.fromEntries(trackLayer.drawnInView().map((d) => [d.id, iconName(d.aff)])),
    renderedEmergencies: () => trackLayer.drawnInView().filter((d) => d.emergency).map((d) => d.id).sort(),
    atlas: () => {
      const out = {} as Record<Affiliation, { inMap: boolean; opaque: number; rgb: [number, number, number] }>;
      for (const a of AFFILIATIONS) {
        const s = atlas ? cellStats(atlas, a) : { opaque: 0, rgb: [0, 0, 0] as [number, number, number] };
        out[a] = { inMap: trackLayer.hasAtlas(), ...s };
      }
      return out;
    },
    tableDomRows: () => table.domRows(),
    tableOrder: () => table.orderedIds(),
    alerts: () => [...alertList.all],
    wire: () => session?.link.protocol ?? '',
    renderedAirports: () =>
      styleReady ? [...new Set(map.queryRenderedFeatures({ layers: AIRPORT_LAYERS }).map((f) => String(f.properties?.icao)))].sort() : [],
    airportLabels: () => [...labels.placesDrawn],
    view: () => ({ lon: map.getCenter().lng, lat: map.getCenter().lat, zoom: map.getZoom() }),
    jumpTo: (v) => map.jumpTo({ center: [v.lon, v.lat], zoom: v.zoom }),
    cues: () => cue.log.map((c) => ({ ...c })),
    decoded: () => ({ ...(session?.link.decoded ?? { worker: 0, main: 0 }) }),
    renderedRings: () => {
      const nm = new Map<string, Set<number>>();
      if (!styleReady) return {};
      for (const f of map.queryRenderedFeatures({ layers: [RING_LAYER] })) {
        const id = f.properties?.id;
        const d = f.properties?.nm;
        if (typeof id !== 'string' || typeof d !== 'number') continue;
        if (!nm.has(id)) nm.set(id, new Set());
        nm.get(id)!.add(d);
      }
      return Object.fromEntries([...nm].map(([id, s]) => [id, s.size]));
    },
    sensorRates: () => Object.fromEntries(sensorPanel.list.map((s) => [s.id, sensorPanel.rateOf(s.id)])),
    drawLog: (reset = false) => {
      const out = [...drawLog];
      if (reset) drawLog.length = 0;
      return out;
    },
  };

  if (document.body.dataset.demo === '1') $('demo-banner').hidden = false;

  // --- Time bar (web/src/timebar.ts): pause, scrub back over the recording, replay 1x-60x, back to live.
  const showFrame = (t: number, tracks: readonly WireTrack[]) => {
    // A live frame still waiting for the next animation frame must not overwrite this one.
    pendingFrame = null;
    picture.update(t, tracks);
    table.update(picture.tracks, selectedId, picture.idsVersion);
    if (selectedId) showDetails();
    status.frame(picture.frameTimeS, picture.tracks.size);
    drawPicture();
  };
  const timebar = new TimeBar($('timebar'), {
    token: () => session?.token ?? null,
    show: showFrame,
    // Switching source clears the picture first, so no trail of one mixes into the other.
    mode: (_m, last) => {
      picture.update(picture.frameTimeS ?? 0, []);
      if (last) showFrame(last.t, last.tracks);
      else showFrame(picture.frameTimeS ?? 0, []);
    },
    message: (text) => status.message(text),
    alerts: (list, recorded) => setAlerts(list, recorded),
  });
  (window as unknown as { __skyfuseTimebar: TimeBar }).__skyfuseTimebar = timebar;
  // --- end time bar

  // One session at a time: its token, its link, who it is.
  let session: { token: string; link: Link } | null = null;
  const loginBox = $('login');
  const loginForm = $<HTMLFormElement>('login-form');
  const loginUser = $<HTMLInputElement>('login-user');
  const loginPassword = $<HTMLInputElement>('login-password');
  const loginSubmit = $<HTMLButtonElement>('login-submit');
  const loginError = $('login-error');
  const who = $('who');
  const logoutButton = $<HTMLButtonElement>('logout');

  const loadCoalition = (token: string) =>
    getJson<CoalitionInfo>('/api/coalition', token).then(
      (c) => {
        coalition = c;
        // Friend: a Mode S address of a member state (affiliation.ts).
        picture.setFriendly(friendlyBlocks(c.partners.filter((p) => p.status === 'member').map((p) => p.id)));
        drawSensors();
        drawPicture();
      },
      (err: unknown) => {
        if (isRefusal(err)) endSession(err.code);
        else status.message(`coalition not loaded: ${String(err)}`);
      },
    );

  const showLogin = (message = '') => {
    loginError.textContent = message;
    loginBox.hidden = false;
    loginSubmit.disabled = false;
    loginUser.focus();
  };

  /** Forget the session and everything it showed; back to the form. */
  function endSession(code?: string): void {
    session?.link.stop();
    session = null;
    pendingFrame = null;
    timebar.goLive();
    forgetToken();
    picture.update(picture.frameTimeS ?? 0, []);
    coalition = null;
    lastHeardMs.clear();
    setAlerts([]);
    cue.clear();
    sensorPanel.set([], 0);
    lastFrameWallMs = 0;
    selectedId = null;
    table.update([], null);
    renderDetails(details, null, null, null);
    status.frame(null, 0);
    drawPicture();
    if (styleReady) setSource(map, 'sensors', { type: 'FeatureCollection', features: [] });
    labels.setSensors([]);
    who.textContent = '';
    logoutButton.hidden = true;
    policyTab.hidden = true;
    policyPanel.clear();
    showTab('tracks');
    if (code) setLink('unauthorized', code);
    else setLink('no-token');
    showLogin(
      code === 'SKY_PARTNER_WITHDRAWN'
        ? 'Your partner has withdrawn from the coalition; its sessions have ended.'
        : code
          ? 'Your session has ended or was refused; log in again.'
          : '',
    );
  }

  function begin(token: string): void {
    getJson<Me>('/api/me', token).then(
      (me) => {
        storeToken(token);
        loginBox.hidden = true;
        loginPassword.value = '';
        who.textContent = `${me.partnerName} (${me.partner}) - ${me.subject}, ${me.role}`;
        who.title = `The picture of ${me.partnerName}: fused only from data released to it`;
        logoutButton.hidden = false;
        policyTab.hidden = me.role !== 'partner-admin';
        if (!policyTab.hidden) void policyPanel.load(token, me.partner);
        const link = new Link(token, {
          message: onMessage,
          state: (s, detail) => {
            if (s === 'unauthorized') endSession(detail);
            else setLink(s, detail);
          },
        });
        session = { token, link };
        loadCoalition(token);
        loadSensors(token);
        link.start();
        timebar.start(me.replay === true);
      },
      (err: unknown) => {
        if (isRefusal(err)) endSession(err.code);
        else {
          setLink('reconnecting', 'server unreachable');
          setTimeout(() => begin(token), 3000);
        }
      },
    );
  }

  loginForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const username = loginUser.value.trim();
    const password = loginPassword.value;
    if (!username || !password) {
      loginError.textContent = 'Enter your username and password.';
      return;
    }
    loginSubmit.disabled = true;
    loginError.textContent = '';
    login(username, password).then(
      (r) => {
        loginSubmit.disabled = false;
        begin(r.token);
      },
      (err: unknown) => {
        loginSubmit.disabled = false;
        loginPassword.value = '';
        loginError.textContent =
          isRefusal(err) || (err as { status?: number }).status === 429 ? (err as Error).message : `Login failed: ${String(err)}`;
        loginPassword.focus();
      },
    );
  });

  logoutButton.addEventListener('click', () => {
    const s = session;
    if (!s) return;
    s.link.stop();
    session = null;
    void logout(s.token).finally(() => endSession());
  });

  const token = takeToken();
  if (token) begin(token);
  else {
    setLink('no-token');
    showLogin();
  }

  // Mark the picture stale when frames stop, and refresh sensor health.
  setInterval(() => {
    if (linkState !== 'unauthorized' && lastFrameWallMs > 0 && Date.now() - lastFrameWallMs > 5000) {
      setLink('stale', `${Math.round((Date.now() - lastFrameWallMs) / 1000)} s`);
    }
    if (lastHeardMs.size > 0) drawSensors();
  }, 2000);
  // Sensor health and registration change slowly: refresh every 5 s.
  setInterval(() => {
    if (session) loadSensors(session.token);
  }, 5000);
}

main();
