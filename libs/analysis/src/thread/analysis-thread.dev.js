/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS loader, run by worker_threads as is */
// Loads the analysis thread from its TypeScript sources (unit tests run the library uncompiled);
// a build runs analysis-thread.js, compiled by tsc, instead.
require('tsx/cjs/api').register();
module.exports = require('./analysis-thread.ts');
