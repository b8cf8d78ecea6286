// The sensor panel: every sensor this partner is granted (GET /api/sensors):
// kind, owner, what is released (full / position), health (last seen,
// outage), data rate (plots/s between two polls of the ingest counters),
// latency (arrival of its latest block minus the data time it carries), a
// coverage toggle, a range-ring toggle for all, and this picture's
// registration estimate of its biases with their 1-sigma uncertainty.

const RINGS_KEY = 'skyfuse.rangeRings';

export interface SensorRegistrationInfo {
  readonly state: 'unregistered' | 'converging' | 'registered';
  readonly observations: number;
  readonly rangeOffsetM: number;
  readonly rangeGainPpm: number;
  readonly azimuthOffsetDeg: number;
  readonly timeOffsetS: number;
  readonly sigmaRangeOffsetM: number;
  readonly sigmaAzimuthOffsetDeg: number;
  readonly sigmaRangeGainPpm?: number;
  readonly sigmaTimeOffsetS?: number;
  readonly applied: boolean;
}

/** Ingest counters of one sensor (null when this server does not ingest it itself, e.g. a replay). */
export interface SensorFeedInfo {
  readonly records: number;
  readonly plots: number;
  readonly lastDataS: number | null;
  readonly lastArrivalS: number | null;
}

export interface SensorInfo {
  readonly id: string;
  readonly partner: string;
  readonly partnerName: string;
  readonly kind: string;
  readonly lat: number;
  readonly lon: number;
  readonly maxRangeM: number;
  readonly rotationS: number | null;
  readonly content: 'full' | 'position';
  readonly status: 'ok' | 'outage' | 'unknown';
  readonly lastSeenS: number | null;
  readonly psrMaxRangeM?: number | null;
  readonly feed?: SensorFeedInfo | null;
  readonly registration: SensorRegistrationInfo | null;
}

/** Plots per second between two samples of a feed's counters (wall-clock ms), null without two samples or on a counter reset. */
export function plotRate(prev: { plots: number; atMs: number } | undefined, plots: number, atMs: number): number | null {
  if (!prev || atMs <= prev.atMs || plots < prev.plots) return null;
  return (plots - prev.plots) / ((atMs - prev.atMs) / 1000);
}

/** Arrival of the latest block minus the data time it carried: how late the data reaches us. */
export function feedLatencyS(f: SensorFeedInfo | null | undefined): number | null {
  return f && f.lastArrivalS !== null && f.lastDataS !== null ? f.lastArrivalS - f.lastDataS : null;
}

/** "152 m ±12, 118 ppm, 0.150° ±0.010, 0.10 s", or the state when not estimated. */
export function registrationText(r: SensorRegistrationInfo | null): string {
  if (!r) return '-';
  if (r.state === 'unregistered') return 'unregistered';
  return (
    `${r.state}${r.applied ? ', applied' : ''}: ${Math.round(r.rangeOffsetM)} m ±${Math.round(r.sigmaRangeOffsetM)}, ` +
    `${Math.round(r.rangeGainPpm)} ppm${r.sigmaRangeGainPpm === undefined ? '' : ` ±${Math.round(r.sigmaRangeGainPpm)}`}, ` +
    `${r.azimuthOffsetDeg.toFixed(3)}° ±${r.sigmaAzimuthOffsetDeg.toFixed(3)}, ` +
    `${r.timeOffsetS.toFixed(2)} s${r.sigmaTimeOffsetS === undefined ? '' : ` ±${r.sigmaTimeOffsetS.toFixed(2)}`} (${r.observations} pairs)`
  );
}

export class SensorPanel {
  private sensors: readonly SensorInfo[] = [];
  /** Sensors whose coverage ring is hidden. */
  readonly hiddenCoverage = new Set<string>();
  /** Range rings around every sensor shown (stored per browser). */
  rings = localStorage.getItem(RINGS_KEY) !== '0';
  /** The previous sample of each feed's plot counter, and the rate derived. */
  private readonly samples = new Map<string, { plots: number; atMs: number }>();
  private readonly rates = new Map<string, number>();

  constructor(
    private readonly box: HTMLElement,
    private readonly onCoverage: () => void,
    private readonly onSelect: (s: SensorInfo) => void,
  ) {
    box.addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      if (input.id === 'range-rings') {
        this.rings = input.checked;
        localStorage.setItem(RINGS_KEY, input.checked ? '1' : '0');
        this.onCoverage();
        return;
      }
      const id = input.dataset.coverage;
      if (!id) return;
      if (input.checked) this.hiddenCoverage.delete(id);
      else this.hiddenCoverage.add(id);
      this.onCoverage();
    });
    box.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      if (target.closest('input')) return;
      const id = target.closest<HTMLElement>('tr[data-id]')?.dataset.id;
      const s = this.sensors.find((x) => x.id === id);
      if (s) this.onSelect(s);
    });
  }

  get list(): readonly SensorInfo[] {
    return this.sensors;
  }

  set(list: readonly SensorInfo[], nowS: number, atMs = Date.now()): void {
    this.sensors = list;
    if (list.length === 0) {
      this.samples.clear();
      this.rates.clear();
    }
    for (const s of list) {
      if (!s.feed) continue;
      const r = plotRate(this.samples.get(s.id), s.feed.plots, atMs);
      if (r !== null) this.rates.set(s.id, r);
      this.samples.set(s.id, { plots: s.feed.plots, atMs });
    }
    this.render(nowS);
  }

  /** Plots per second of a sensor's feed, once two polls have been seen. */
  rateOf(id: string): number | null {
    return this.rates.get(id) ?? null;
  }

  render(nowS: number): void {
    const table = document.createElement('table');
    table.className = 'sensor-table';
    const head = table.createTHead().insertRow();
    for (const h of ['', 'Sensor', 'Kind', 'Owner', 'Status', 'Rate', 'Latency', 'Registration (±1σ)']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.append(th);
    }
    const body = table.createTBody();
    for (const s of this.sensors) {
      const r = body.insertRow();
      r.dataset.id = s.id;
      r.dataset.status = s.status;
      const cov = document.createElement('input');
      cov.type = 'checkbox';
      cov.checked = !this.hiddenCoverage.has(s.id);
      cov.dataset.coverage = s.id;
      cov.title = 'Show coverage ring';
      r.insertCell().append(cov);
      r.insertCell().textContent = s.id;
      r.insertCell().textContent = s.content === 'position' ? `${s.kind} (position only)` : s.kind;
      r.insertCell().textContent = s.partnerName;
      const age = s.lastSeenS === null ? null : Math.max(0, Math.round(nowS - s.lastSeenS));
      r.insertCell().textContent = s.status === 'outage' ? `OUTAGE (${age ?? '-'} s)` : age === null ? 'not heard' : `ok, ${age} s ago`;
      const rate = this.rates.get(s.id);
      const rc = r.insertCell();
      rc.className = 'rate';
      rc.textContent = !s.feed ? '-' : rate === undefined ? '…' : `${rate.toFixed(1)} plots/s`;
      const lat = feedLatencyS(s.feed);
      const lc = r.insertCell();
      lc.className = 'latency';
      lc.textContent = lat === null ? '-' : `${lat.toFixed(1)} s`;
      r.insertCell().textContent = registrationText(s.registration);
    }
    const bar = document.createElement('label');
    bar.className = 'ring-toggle';
    const rings = document.createElement('input');
    rings.type = 'checkbox';
    rings.id = 'range-rings';
    rings.checked = this.rings;
    bar.append(rings, ` range rings every 50 NM`);
    this.box.replaceChildren(bar, table);
  }
}
