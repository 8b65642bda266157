/**
 * Ends the local stack's processes when `npm start` itself dies without stopping them: SIGKILL,
 * a crash, or a wrapper that kills it (tsx's CLI SIGKILLs its child when the child is slow to
 * acknowledge a relayed Ctrl-C). Its children run in their own process groups, so nothing else
 * would end them.
 *
 * Started by stack.ts with a pipe on stdin, which closes when its owner dies, however it dies.
 * Lines on stdin: `group <pgid>` and `pid <pid>` to watch, `done` once the owner has stopped
 * everything itself. End of input without `done` means: stop them all.
 *
 * Usage (internal): node --import tsx watchdog.ts <owner pid>
 */
import { createInterface } from 'node:readline';
import { stopGroup, sweep } from './processes';

const owner = Number(process.argv[2]);
const groups: number[] = [];
const pids: number[] = [];
let done = false;

// Ctrl-C in the terminal is for `npm start`, which then stops us itself (we are its own group, so
// this is belt and braces).
process.on('SIGINT', () => undefined);

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const [word, value] = line.trim().split(/\s+/);
    if (word === 'group') groups.push(Number(value));
    else if (word === 'pid') pids.push(Number(value));
    else if (word === 'done') done = true;
  })
  .on('close', () => {
    if (done) process.exit(0);
    void (async () => {
      // firebase-tools stops its JVM on SIGTERM as on Ctrl-C; give it a moment, then kill.
      await Promise.all(groups.map((g) => stopGroup(g, 'SIGTERM', 5_000)));
      const left = await sweep(pids, owner);
      if (left.length) console.error(`local-stack watchdog: could not stop pid ${left.join(', ')}`);
      process.exit(left.length ? 1 : 0);
    })();
  });
