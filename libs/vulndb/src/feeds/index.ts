export { parseFeedSources, readFeed, FEED_KINDS } from './sources';
export type { FeedSourceConfig } from './location';
export { FeedSourceError, FeedConfigError } from './errors';
export type { FeedReadOptions, FeedStats } from './io/limits';
export { newFeedStats, DEFAULT_READ_OPTIONS } from './io/limits';
export { readOsv } from './osv/read-osv';
export { parseOsvDocument } from './osv/map-osv';
export { readAlpineSecdb } from './alpine-secdb/read-alpine-secdb';
export { readDebianOval } from './debian-oval/read-debian-oval';
