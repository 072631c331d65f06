/** The session model: the rules of a session as pure functions over plain data, behind a small repository. */
export * from './repository';
export * from './sessionRules';
export * from './newSession';
export * from './applyEvent';
export * from './applyVital';
export * from './applyDefaults';
export * from './sessionSize';
export * from './currentLoad';
export * from './ingestBatch';
export { parseDevice, type ParsedDevice } from './device/parseDevice';
export { geoFromTimeZone } from './device/geoFromTimeZone';
