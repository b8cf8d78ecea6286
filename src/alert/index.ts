// Alert: what an operator must look at now, computed per releasability
// audience from that audience's own track frames and the health events of
// the sensors it is granted (emergency squawks, new unknown aircraft, lost
// tracks, radar outages, stale feeds). It never reads another audience's
// frames, never sees an event or feed of a sensor not granted, never
// publishes on the bus and never changes a track: acknowledging only marks
// what a partner has seen.
export {
  AlertCenter, AudienceAlerts, EMERGENCY_CODES, OUTAGE_ROTATIONS, LOST_COVERAGE_FRACTION, LOST_MIN_ALT_M, STALE_FEED_S,
  type Alert, type AlertAck, type AlertChange, type ListedAlert, type FeedCounters, type AlertKind, type AlertSeverity, type AlertState, type AlertView, type SensorHealth,
} from './alerts.ts';
export {
  AlertJournal, ALERT_EVENT_KIND, ALERT_SNAPSHOT_S, type AlertRecord, type AlertSink,
} from './journal.ts';
