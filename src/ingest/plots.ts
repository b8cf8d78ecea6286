// From data blocks to plots: decode each block, find the sensor by its SAC/SIC
// in the coalition, turn ASTERIX time of day into epoch seconds, and stamp
// every plot with its sensor and owning partner. Plots from a source no
// sensor declares are counted and reported, never fused.

import { decodeBlock, decodeCat048Block, type Cat048Report, type DecodedReport } from '../asterix/index.ts';
import type { SensorDirectory } from '../coalition/coalition.ts';
import { ErrorCounter, SkyError } from '../core/errors.ts';
import { TimeOfDayUnwrapper } from '../core/time.ts';
import type { Plot, Sensor, SkyEvent } from '../core/types.ts';
import type { DataBlock } from './blocks.ts';

export interface DecodedBlock {
  readonly plots: Plot[];
  readonly events: SkyEvent[];
}

/** Live counters of one declared sensor, for the operations room's sensor panel. */
export interface SensorFeedStats {
  records: number;
  plots: number;
  /** Data time of the sensor's latest report (epoch s), or null. */
  lastDataS: number | null;
  /** When its latest block arrived (capture or socket time), or null. */
  lastArrivalS: number | null;
}

/** Counters of one input (a file, or a UDP port). */
export interface SourceFeedStats {
  blocks: number;
  errors: number;
  lastArrivalS: number | null;
}

export class PlotDecoder {
  private readonly unwrap: TimeOfDayUnwrapper;
  private readonly perSensor = new Map<string, SensorFeedStats>();
  private readonly perSource = new Map<string, SourceFeedStats>();
  /** SAC*256+SIC of undeclared sources already reported once. */
  private readonly reportedUnknown = new Set<number>();
  readonly unknownSources = new Map<string, number>();
  records = 0;

  constructor(
    private readonly sensors: SensorDirectory,
    startOfDayS: number,
    readonly errors: ErrorCounter = new ErrorCounter(),
  ) {
    this.unwrap = new TimeOfDayUnwrapper(startOfDayS);
  }

  decode(block: DataBlock): DecodedBlock {
    const plots: Plot[] = [];
    const events: SkyEvent[] = [];
    let src = this.perSource.get(block.source);
    if (!src) this.perSource.set(block.source, (src = { blocks: 0, errors: 0, lastArrivalS: null }));
    src.blocks++;
    if (block.receivedS !== null) src.lastArrivalS = block.receivedS;
    const onError = (e: SkyError) => {
      src.errors++;
      this.errors.add(e.code, `${e.code}: ${block.source}: ${e.message}`);
    };
    const at = Math.max(0, block.offset);
    // CAT048, nearly all the traffic, takes the fast typed path (no wrapper object per record).
    if (block.bytes[0] === 48) decodeCat048Block(block.bytes, at, (report, offset) => this.acceptRadar(report, offset, plots, events, block), onError);
    else decodeBlock(block.bytes, at, (r) => this.accept(r, plots, events, block), onError);
    return { plots, events };
  }

  /** Counters per declared sensor and per input, as copies. */
  feedStats(): { sensors: Record<string, SensorFeedStats>; sources: Record<string, SourceFeedStats> } {
    const sensors: Record<string, SensorFeedStats> = {};
    for (const [k, v] of this.perSensor) sensors[k] = { ...v };
    const sources: Record<string, SourceFeedStats> = {};
    for (const [k, v] of this.perSource) sources[k] = { ...v };
    return { sensors, sources };
  }

  private acceptRadar(c: Cat048Report, offset: number, plots: Plot[], events: SkyEvent[], block: DataBlock): void {
    const at = this.locate(c, offset, 48, events, block);
    if (at === null) return;
    plots.push({
      kind: 'radar', sensorId: at.sensor.id, partnerId: at.sensor.partnerId, timeS: at.timeS, rangeM: c.rangeM, azimuthRad: c.azimuthRad,
      flightLevel: c.flightLevel, mode3a: c.mode3a, icao24: c.icao24, callsign: c.callsign, detection: c.detection,
    });
  }

  private accept(r: DecodedReport, plots: Plot[], events: SkyEvent[], block: DataBlock): void {
    if (r.cat === 48) {
      this.acceptRadar(r.report, r.offset, plots, events, block);
      return;
    }
    const at = this.locate(r.report, r.offset, r.cat, events, block);
    if (at === null) return;
    const { sensor, timeS } = at;
    if (r.cat === 21) {
      const c = r.report;
      plots.push({
        kind: 'adsb', sensorId: sensor.id, partnerId: sensor.partnerId, timeS, latRad: c.latRad, lonRad: c.lonRad,
        heightM: c.geometricHeightM, flightLevel: c.flightLevel, mode3a: c.mode3a, icao24: c.icao24, callsign: c.callsign,
      });
    } else {
      const c = r.report;
      if (c.type === 'north-marker') events.push({ kind: 'north-marker', sensorId: sensor.id, timeS });
      else events.push({ kind: 'sector', sensorId: sensor.id, timeS, azimuthRad: c.sectorAzimuthRad ?? 0 });
    }
  }

  /**
   * The declared sensor of a report and its epoch time, counted; null (and
   * counted, and reported once as an event) for an undeclared SAC/SIC.
   */
  private locate(
    rep: { sac: number; sic: number; timeOfDayS: number },
    offset: number,
    cat: number,
    events: SkyEvent[],
    block: DataBlock,
  ): { sensor: Sensor; timeS: number } | null {
    this.records++;
    const key = rep.sac * 256 + rep.sic;
    const sensor = this.sensors.bySacSic(rep.sac, rep.sic);
    if (!sensor) {
      const name = `${rep.sac}/${rep.sic}`;
      this.unknownSources.set(name, (this.unknownSources.get(name) ?? 0) + 1);
      this.errors.add('SKY_PLOT_UNKNOWN_SENSOR', `SKY_PLOT_UNKNOWN_SENSOR: ${block.source} byte ${offset}: SAC/SIC ${name} is not a sensor of the coalition; its reports are not fused`);
      if (!this.reportedUnknown.has(key)) {
        this.reportedUnknown.add(key);
        events.push({ kind: 'unknown-sensor', sac: rep.sac, sic: rep.sic, timeS: this.unwrap.toEpochS(key, rep.timeOfDayS) });
      }
      return null;
    }
    const timeS = this.unwrap.toEpochS(key, rep.timeOfDayS);
    let st = this.perSensor.get(sensor.id);
    if (!st) this.perSensor.set(sensor.id, (st = { records: 0, plots: 0, lastDataS: null, lastArrivalS: null }));
    st.records++;
    if (cat !== 34) st.plots++;
    if (st.lastDataS === null || timeS > st.lastDataS) st.lastDataS = timeS;
    if (block.receivedS !== null) st.lastArrivalS = block.receivedS;
    return { sensor, timeS };
  }
}
