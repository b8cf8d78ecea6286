// The alert list: what the server computed from this partner's picture, as
// this partner sees it (its own acknowledgements). Active alerts are bold
// with a coloured edge, emergencies red and flashing until acknowledged;
// cleared ones are greyed and sink below. The audible cue is cue.ts.
// While the time bar replays, the list shows the recorded alerts at the play
// head instead (read-only: nothing to acknowledge in the past).

import type { WireAlert } from '../../src/serve/wire.ts';
import { utcText } from './geo.ts';

const KIND_TEXT: Readonly<Record<WireAlert['kind'], string>> = {
  emergency: 'EMERGENCY',
  'unknown-aircraft': 'UNKNOWN',
  'track-lost': 'TRACK LOST',
  'sensor-outage': 'SENSOR',
};

const STATE_RANK: Readonly<Record<WireAlert['state'], number>> = { active: 0, acknowledged: 1, cleared: 2 };

/** Active first (emergencies first among them), then acknowledged, then cleared; newest first within. */
export function sortAlerts(list: readonly WireAlert[]): WireAlert[] {
  return [...list].sort(
    (a, b) =>
      STATE_RANK[a.state] - STATE_RANK[b.state] ||
      Number(b.severity === 'emergency') - Number(a.severity === 'emergency') ||
      b.t - a.t,
  );
}

export interface AlertHandlers {
  select(a: WireAlert): void;
  ack(a: WireAlert): void;
}

export class AlertList {
  private alerts: WireAlert[] = [];
  /** Showing recorded alerts (time bar replay): no acknowledging. */
  recorded = false;
  /**
   * Is the list on screen (its tab chosen)? Hidden, it keeps no rows and builds none: with hundreds of alerts
   * listed (the server keeps up to 500), rebuilding them at each change cost milliseconds of every update.
   */
  private visible = true;

  constructor(
    private readonly box: HTMLElement,
    private readonly handlers: AlertHandlers,
  ) {
    box.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      const item = target.closest<HTMLElement>('.alert');
      const a = this.alerts.find((x) => x.id === item?.dataset.id);
      if (!a) return;
      if (target.closest('button.ack')) {
        if (!this.recorded) handlers.ack(a);
      }
      else handlers.select(a);
    });
  }

  get all(): readonly WireAlert[] {
    return this.alerts;
  }

  /** Not yet acknowledged or cleared. */
  active(): WireAlert[] {
    return this.alerts.filter((a) => a.state === 'active');
  }

  /** `recorded`: the list as recorded at the replayed time (read-only), not the live one. */
  set(list: readonly WireAlert[], recorded = false): void {
    this.alerts = sortAlerts(list);
    this.recorded = recorded;
    this.box.dataset.recorded = recorded ? '1' : '';
    this.render();
  }

  /** Shown (its tab chosen) or hidden; shown, it is drawn at once. */
  setVisible(on: boolean): void {
    if (on === this.visible) return;
    this.visible = on;
    this.render();
  }

  private render(): void {
    if (!this.visible) {
      if (this.box.firstChild) this.box.replaceChildren();
      return;
    }
    if (this.alerts.length === 0) {
      const p = document.createElement('p');
      p.className = this.recorded ? 'hint recorded' : 'hint';
      p.textContent = this.recorded ? 'No alerts in your picture at the replayed time.' : 'No alerts in your picture.';
      this.box.replaceChildren(p);
      return;
    }
    const items = this.alerts.map((a) => {
      const item = document.createElement('div');
      item.className = 'alert';
      item.dataset.id = a.id;
      item.dataset.kind = a.kind;
      item.dataset.state = a.state;
      item.dataset.severity = a.severity;
      item.tabIndex = 0;
      const head = document.createElement('div');
      head.className = 'alert-head';
      const kind = document.createElement('span');
      kind.className = 'alert-kind';
      kind.textContent = a.code !== null && a.kind === 'emergency' ? `${KIND_TEXT[a.kind]} ${a.code}` : KIND_TEXT[a.kind];
      const time = document.createElement('span');
      time.className = 'alert-time';
      time.textContent = utcText(a.t).slice(11);
      const state = document.createElement('span');
      state.className = 'alert-state';
      state.textContent = a.state === 'acknowledged' && a.ackBy ? `ack ${a.ackBy}` : a.state;
      head.append(kind, time, state);
      if (a.state === 'active' && !this.recorded) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'ack';
        b.textContent = 'Ack';
        b.title = 'Acknowledge for your partner';
        head.append(b);
      }
      const text = document.createElement('div');
      text.className = 'alert-text';
      text.textContent = a.clearedWhy ? `${a.text} - cleared: ${a.clearedWhy}` : a.text;
      item.append(head, text);
      return item;
    });
    if (this.recorded) {
      const p = document.createElement('p');
      p.className = 'hint recorded';
      p.textContent = 'Recorded alerts at the replayed time (read-only).';
      items.unshift(p);
    }
    this.box.replaceChildren(...items);
  }
}
