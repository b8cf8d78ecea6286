// The sensor panel: every sensor this partner is granted (GET /api/sensors):
// kind, owner, what is released (full / position), health (last seen,
// outage), a coverage-ring toggle, and this picture's registration estimate
// of its biases.

export interface SensorRegistrationInfo {
  readonly state: 'unregistered' | 'converging' | 'registered';
  readonly observations: number;
  readonly rangeOffsetM: number;
  readonly rangeGainPpm: number;
  readonly azimuthOffsetDeg: number;
  readonly timeOffsetS: number;
  readonly sigmaRangeOffsetM: number;
  readonly sigmaAzimuthOffsetDeg: number;
  readonly applied: boolean;
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
  readonly registration: SensorRegistrationInfo | null;
}

/** "152 m ±12, 118 ppm, 0.150° ±0.010, 0.10 s", or the state when not estimated. */
export function registrationText(r: SensorRegistrationInfo | null): string {
  if (!r) return '-';
  if (r.state === 'unregistered') return 'unregistered';
  return (
    `${r.state}${r.applied ? ', applied' : ''}: ${Math.round(r.rangeOffsetM)} m ±${Math.round(r.sigmaRangeOffsetM)}, ` +
    `${Math.round(r.rangeGainPpm)} ppm, ${r.azimuthOffsetDeg.toFixed(3)}° ±${r.sigmaAzimuthOffsetDeg.toFixed(3)}, ` +
    `${r.timeOffsetS.toFixed(2)} s (${r.observations} pairs)`
  );
}

export class SensorPanel {
  private sensors: readonly SensorInfo[] = [];
  /** Sensors whose coverage ring is hidden. */
  readonly hiddenCoverage = new Set<string>();

  constructor(
    private readonly box: HTMLElement,
    private readonly onCoverage: () => void,
    private readonly onSelect: (s: SensorInfo) => void,
  ) {
    box.addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
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

  set(list: readonly SensorInfo[], nowS: number): void {
    this.sensors = list;
    this.render(nowS);
  }

  render(nowS: number): void {
    const table = document.createElement('table');
    table.className = 'sensor-table';
    const head = table.createTHead().insertRow();
    for (const h of ['', 'Sensor', 'Kind', 'Owner', 'Status', 'Registration']) {
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
      r.insertCell().textContent = registrationText(s.registration);
    }
    this.box.replaceChildren(table);
  }
}
