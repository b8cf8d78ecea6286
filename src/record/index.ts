// Record: every received data block, every tick of the live pump, every
// event and every track frame into an embedded SQLite file (WAL), batched in
// transactions off the hot path; and replay, which feeds the recorded inputs
// back through the same decode -> register -> track chain. Recording never
// blocks or fails the pipeline (write errors are counted and reported with
// SKY_RECORD_WRITE) and replay never reads a clock or data the live run did not have.
//
// Codes raised here: SKY_RECORD_OPEN, SKY_RECORD_SCHEMA, SKY_RECORD_WRITE, SKY_USAGE (replay speed).
export { Chain, type ChainConfig, type ChainSinks } from './chain.ts';
export { Recorder, INPUT_EVENT_KINDS, type RecorderOptions, type RecorderStats, type RecordableEvent, type PartnerStatusInput } from './recorder.ts';
export { RecordingReader, Replayer, SEEK_HISTORY_S, type ReplayOptions, type RecordedBlock, type RecordedInput, type RecordedFrame, type SessionInfo } from './replay.ts';
export { openRecording, SCHEMA_VERSION } from './schema.ts';
