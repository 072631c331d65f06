export * from './events';
export * from './session';
export * from './bridge';
export * from './settings';
export * from './storage';
export * from './replay';
export * from './dashboard';
export * from './server';
