// The `ungreedy` command line on the workspace's sources, as a real child process for the tests that send
// it signals (src/interrupt.test.ts):
//   node --conditions=ungreedy-development --import tsx scripts/ungreedy.mts run cfg.yaml
import { main } from '@ungreedy/core/app';

process.exitCode = await main(process.argv.slice(2));
