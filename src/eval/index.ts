// Evaluation: scores a tracker's system tracks (tracks.jsonl) against the
// scenario's ground truth (truth.jsonl) with GOSPA, position RMS, coverage,
// false tracks, continuity (ID swaps, breaks) and identity. It only reads
// the two files and computes; it never feeds anything back to the tracker,
// never skips a malformed line (a judge must not flatter), and never scores
// tentative tracks.
export { readTruthFile, readTracksFile, parseTruthJsonl, parseTracksJsonl } from './files.ts';
export { evaluate, type EvalReport, type EvalOptions } from './evaluate.ts';
export { formatReport } from './format.ts';
export { horizontalDistanceM, offsetEastNorthM, offsetLatLonDeg } from './geo.ts';
