#!/usr/bin/env node
// Thin launcher: the program lives in dist/ (built by `npm ci` through the `prepare` script).
import { main } from '../dist/cli/main.js';

// `photo-organizer --help | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
