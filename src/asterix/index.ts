// ASTERIX codec: turns data blocks (CAT, LEN, records) into typed plots and
// service messages, and back, for CAT048, CAT034 and CAT021; and any record of
// those categories, CAT062 and CAT065 into spec-named items for `skyfuse decode`.
// Item layouts come only from the generated tables (scripts/gen-asterix.ts).
// It never throws on bad input (errors go to onError with a code and a byte
// offset) and never does I/O, framing of files or time-of-day unwrapping.

export type { Cat048Report } from './cat048.ts';
export { decodeCat048Block, encodeCat048Block, encodeCat048Blocks } from './cat048.ts';
export type { Cat034Message } from './cat034.ts';
export { encodeCat034Block } from './cat034.ts';
export type { Cat021Report } from './cat021.ts';
export { encodeCat021Block, encodeCat021Blocks } from './cat021.ts';
export type { DecodedReport } from './decode.ts';
export { decodeBlock, decodeBlockItems } from './decode.ts';
export { MAX_BLOCK_BYTES, encodeBlock, encodeBlocks, encodeItemsBlock } from './framing.ts';
export { decodeRecord, encodeRecord, ByteWriter, type Items } from './engine.ts';
export { categoryDef, KNOWN_CATEGORIES } from './categories.ts';
export type { CategoryDef } from './spec.ts';
