// The process of one compare cell: the `ungreedy` command line, as `bin/ungreedy.js` runs it. It is a file of
// its own (not `cli/main.js` as the entry) because a module that plugins reach through `@ungreedy/core` must not
// hold a top-level await, or their import of core waits on it forever.
import { main } from './main.js';

// Started by compare with an IPC channel: it must not keep this process alive; its closing (compare died) stops
// the run with a checkpoint (run/stop-signals.ts).
process.channel?.unref();

process.exitCode = await main(process.argv.slice(2));
