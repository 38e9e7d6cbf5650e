export * from './definition.js';
export * from './answers.js';
