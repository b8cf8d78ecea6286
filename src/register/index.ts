// Registration: estimates each radar's range offset, range gain, azimuth
// offset and time-stamp offset from the data (ADS-B as the reference) and
// removes them from every plot before tracking, recording on each plot what
// was applied. It never applies an estimate that is not yet significant and
// never reads the simulator's truth.
export * from './registration.ts';
