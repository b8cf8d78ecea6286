// Simulation: scenarios of partners, radars and traffic that produce what
// real sensors would send (ASTERIX through the project's own codec) and the
// ground truth to score against. The simulator never reads the tracker's
// output, and the tracker never reads the simulator's truth.
export * from './scenario.ts';
export * from './simulate.ts';
export * from './write.ts';
export { Traffic, Aircraft, type SimTruthPoint } from './traffic.ts';
export { AIRPORTS, FAR_CITIES, type Place } from './airports.ts';
