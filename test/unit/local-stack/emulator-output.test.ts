import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { surfaceLine } from '../../../tools/local-stack/emulator-output';

const fnLog = (entry: Record<string, unknown>) => `>  ${JSON.stringify(entry)}`;

describe('which firebase-tools lines npm start shows', () => {
  it('when a function logs a warning or an error, then it is shown with its fields', () => {
    assert.equal(
      surfaceLine(
        fnLog({ pushId: 'p1', code: 'UNAVAILABLE', severity: 'WARNING', message: 'push.retry' }),
      ),
      'function warning: push.retry {"pushId":"p1","code":"UNAVAILABLE"}',
    );
    assert.equal(
      surfaceLine(fnLog({ severity: 'ERROR', message: 'drain.failed' })),
      'function error: drain.failed',
    );
  });

  it('when a function logs at info level, then it stays in the log file', () => {
    assert.equal(
      surfaceLine(fnLog({ sent: 3, severity: 'INFO', message: 'drain.finished' })),
      undefined,
    );
    assert.equal(
      surfaceLine('i  functions: Beginning execution of "asia-northeast3-x"'),
      undefined,
    );
  });

  it('when firebase-tools warns as it does on every start of this setup, then nothing is shown', () => {
    for (const line of [
      '⚠  firestore: Env variable override detected. Using firestore emulator at /x.jar',
      '⚠  emulators: The Emulator UI is not starting because none of the running emulators have a UI component.',
    ]) {
      assert.equal(surfaceLine(line), undefined, line);
    }
  });

  it('when firebase-tools reports an unexpected warning or an error, then it is shown without colours', () => {
    assert.equal(
      surfaceLine(
        '\u001b[33m⚠\u001b[39m  functions: Failed to load function definition from source',
      ),
      'emulators: ⚠  functions: Failed to load function definition from source',
    );
    assert.equal(
      surfaceLine('!!  functions: Error: boom'),
      'emulators: !!  functions: Error: boom',
    );
  });
});
