export * from './change.js';
export * from './snapshot.js';
