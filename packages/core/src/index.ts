export * from './errors/index.js';
export * from './fs/index.js';
export * from './log/logger.js';
export * from './cli/index.js';
export * from './repodata/model.js';
export { mapLimit } from './util/map-limit.js';
export * from './target/index.js';
export * from './rpm/index.js';
