export { startLiveSource } from './server.js';
export type { LiveSource, LiveSourceOptions, LiveSourceStats, StreamStart } from './server.js';
export { parseFaults } from './faults.js';
export type { Faults, FaultsResult, PauseFault } from './faults.js';
export { FixtureTimeline } from './fixture-timeline.js';
