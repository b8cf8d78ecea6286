// Core: the vocabulary every stage shares (plots, tracks, sensors, partners,
// events), the bus that connects stages, error codes, and WGS-84 geodesy.
// Nothing here does I/O or keeps state in module globals.
export * from './types.ts';
export * from './errors.ts';
export * from './bus.ts';
export * from './geodesy.ts';
export * from './contract.ts';
