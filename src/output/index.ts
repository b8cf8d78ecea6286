// Output: the fused picture for other systems. System tracks become ASTERIX
// CAT062 (with CAT065 SDPS service messages) over UDP or into a file, or
// Cursor on Target events streamed to a TAK server per partner; our
// string track ids get stable 16-bit track numbers here. It only reads track
// frames (from the bus or the caller): it never changes a track, never
// decodes input, and a consumer that is slow or gone never stalls the bus.
//
// Codes raised here: SKY_OUTPUT_TRACK_NUMBERS, SKY_OUTPUT_ENCODE,
// SKY_OUTPUT_BEHIND, SKY_OUTPUT_COT, SKY_FILE_UNWRITABLE (and SKY_UDP_SEND
// from the sender).
export { encodeCat062Frame, encodeCat065Message, cat062Items, type Cat062Options, type Cat065Message } from './cat062.ts';
export { TrackNumbers, type TrackNumbersOptions, type NumberedTrack, type FrameNumbering } from './numbers.ts';
export { Cat062Output, type Cat062OutputOptions } from './udp.ts';
export { Cat062FileWriter, type Cat062FileOptions } from './file.ts';
export { CotFeed, cotEvent, cotForceDelete, cotType, STALE_AFTER_S, type CotFeedOptions } from './cot.ts';
