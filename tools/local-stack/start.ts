/**
 * `npm start`: the whole system locally, offline, without a Google account (see stack.ts).
 * Ctrl-C or SIGTERM stops everything it started; a second Ctrl-C stops it without waiting.
 * Exit code: 0 after a requested stop, 1 when it could not start, crashed or left a process behind.
 */
import { parseStartOptions, START_USAGE } from './options';
import { StartAborted, startLocalStack, type Output } from './stack';

const out: Output = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
};

async function main(): Promise<number> {
  const options = parseStartOptions(process.argv.slice(2));
  if (options.help) {
    console.log(START_USAGE);
    return 0;
  }
  const stopRequested = new AbortController();
  const forceRequested = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopRequested.signal.aborted) {
      // npm and tsx relay the terminal's Ctrl-C to us although we got it already: a repeat
      // within a second is the same Ctrl-C. A later one means: kill, do not wait.
      if (Date.now() - firstSignalAt < 1_000 || forceRequested.signal.aborted) return;
      out.info(`${sig} again: killing…`);
      forceRequested.abort(sig);
      return;
    }
    firstSignalAt = Date.now();
    out.info(`\n${sig}: stopping…`);
    stopRequested.abort(sig);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  let stack;
  try {
    stack = await startLocalStack(options, out, {
      stop: stopRequested.signal,
      force: forceRequested.signal,
    });
  } catch (err) {
    if (!(err instanceof StartAborted)) throw err;
    if (err.left.length) {
      out.error(`could not stop: pid ${err.left.join(', ')}`);
      return 1;
    }
    out.info('stopped before it was ready; nothing left running');
    return 0;
  }
  const stopped = stopRequested.signal.aborted
    ? Promise.resolve()
    : new Promise<void>((r) => stopRequested.signal.addEventListener('abort', () => r()));
  const crash = await Promise.race([stack.crashed, stopped.then(() => undefined)]);
  if (crash) out.error(`${crash}; see .tmp/emulators.log. Stopping the rest…`);
  const left = await stack.stop();
  if (left.length) {
    out.error(`could not stop: pid ${left.join(', ')}`);
    return 1;
  }
  out.info('stopped; nothing left running');
  return crash ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
