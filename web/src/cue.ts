// The audible alert cue (issue 8: "a visible and audible cue"). Tones are
// made with Web Audio (no sound file, nothing fetched):
// - a newly raised emergency (7500/7600/7700): three high two-tone beeps,
//   repeated every REPEAT_S while any emergency stays unacknowledged;
// - any other newly raised alert (unknown aircraft, track lost, sensor
//   outage): one low beep, once.
// Several alerts raised together sound once, at the highest severity. The
// recorded alerts shown while replaying never sound. The operator can mute
// it (the status bar's Sound button; remembered in this browser). Browsers
// let a page play sound only after a user gesture: the cue asks for its
// audio context on the first click or key press (logging in is one).

import type { WireAlert } from '../../src/serve/wire.ts';

/** Seconds between repeats while an emergency stays unacknowledged. */
export const REPEAT_S = 10;
const MUTE_KEY = 'skyfuse.sound';

export type CueKind = 'emergency' | 'warning';

export interface CueRecord {
  readonly kind: CueKind;
  /** Alert ids that made it sound (empty for a repeat). */
  readonly ids: readonly string[];
  /** ms since epoch. */
  readonly at: number;
  /** Sounded (false: muted, or the browser allows no sound yet). */
  readonly played: boolean;
  /** Peak amplitude read back from the audio graph while the tones played (0..1), once measured. */
  peak: number | null;
}

export class AlertCue {
  private ctx: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  /** Active alerts already announced: an alert sounds once when raised. */
  private announced = new Set<string>();
  private lastEmergencyMs = 0;
  private unackedEmergency = false;
  muted: boolean;
  /** What sounded, newest last (at most 100): the page's test hook reads it. */
  readonly log: CueRecord[] = [];
  onMuted: (muted: boolean) => void = () => {};

  constructor() {
    this.muted = localStorage.getItem(MUTE_KEY) === 'off';
    const unlock = () => {
      this.audio();
      if (this.ctx?.state === 'running') {
        document.removeEventListener('pointerdown', unlock, true);
        document.removeEventListener('keydown', unlock, true);
      }
    };
    document.addEventListener('pointerdown', unlock, true);
    document.addEventListener('keydown', unlock, true);
    setInterval(() => this.repeat(), 1000);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    localStorage.setItem(MUTE_KEY, muted ? 'off' : 'on');
    this.onMuted(muted);
  }

  /** The live alert list after each change (never the recorded one). */
  update(alerts: readonly WireAlert[]): void {
    const raised: WireAlert[] = [];
    const active = new Set<string>();
    let unacked = false;
    for (const a of alerts) {
      if (a.state !== 'active') continue;
      active.add(a.id);
      if (a.severity === 'emergency') unacked = true;
      if (!this.announced.has(a.id)) raised.push(a);
    }
    this.announced = active;
    this.unackedEmergency = unacked;
    if (raised.length === 0) return;
    const kind: CueKind = raised.some((a) => a.severity === 'emergency') ? 'emergency' : 'warning';
    this.sound(kind, raised.map((a) => a.id));
  }

  /** Forget what was announced (logout): the next session's alerts sound afresh. */
  clear(): void {
    this.announced.clear();
    this.unackedEmergency = false;
  }

  private repeat(): void {
    if (this.unackedEmergency && Date.now() - this.lastEmergencyMs >= REPEAT_S * 1000) this.sound('emergency', []);
  }

  private audio(): AudioContext | null {
    if (!this.ctx) {
      try {
        this.ctx = new AudioContext();
        this.analyser = this.ctx.createAnalyser();
        this.analyser.fftSize = 2048;
        this.analyser.connect(this.ctx.destination);
      } catch {
        return null;
      }
    }
    if (this.ctx.state === 'suspended') void this.ctx.resume();
    return this.ctx;
  }

  private sound(kind: CueKind, ids: readonly string[]): void {
    const at = Date.now();
    if (kind === 'emergency') this.lastEmergencyMs = at;
    const ctx = this.muted ? null : this.audio();
    const played = ctx !== null && ctx.state === 'running';
    const rec: CueRecord = { kind, ids, at, played, peak: null };
    this.log.push(rec);
    if (this.log.length > 100) this.log.shift();
    if (!played || !ctx || !this.analyser) return;
    // Emergency: 880/660 Hz, three times (0.9 s); other alerts: one 520 Hz beep (0.25 s).
    const tones: [number, number, number][] =
      kind === 'emergency' ? [0, 0.3, 0.6].flatMap((s): [number, number, number][] => [[880, s, 0.13], [660, s + 0.14, 0.13]]) : [[520, 0, 0.25]];
    const t0 = ctx.currentTime + 0.02;
    for (const [hz, start, len] of tones) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0, t0 + start);
      gain.gain.linearRampToValueAtTime(0.15, t0 + start + 0.01);
      gain.gain.setValueAtTime(0.15, t0 + start + len - 0.02);
      gain.gain.linearRampToValueAtTime(0, t0 + start + len);
      osc.connect(gain).connect(this.analyser);
      osc.start(t0 + start);
      osc.stop(t0 + start + len);
    }
    // Read the level back from the graph while the first tone plays: what reached the output, not what was asked.
    const buf = new Float32Array(this.analyser.fftSize);
    const analyser = this.analyser;
    setTimeout(() => {
      analyser.getFloatTimeDomainData(buf);
      let peak = 0;
      for (const v of buf) peak = Math.max(peak, Math.abs(v));
      rec.peak = peak;
    }, 80);
  }
}
