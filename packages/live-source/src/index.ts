export type { Faults, FaultsResult, PauseFault } from './faults.js';
export { parseFaults } from './faults.js';
export { FixtureTimeline } from './fixture-timeline.js';
export type { LiveSource, LiveSourceOptions, LiveSourceStats, StreamStart } from './server.js';
export { startLiveSource } from './server.js';
