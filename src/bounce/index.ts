export { type Envelope, emptyReading, READ_LIMIT, type ReadOptions, readReport, readsOtherwiseKnowingSentTo } from './read-report.js';
export * from './reading.js';
