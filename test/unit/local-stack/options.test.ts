import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDuration,
  parseDuration,
  parseStartOptions,
} from '../../../tools/local-stack/options';

describe('npm start options', () => {
  it('when no flag is given, then the scheduled functions run on their production schedules', () => {
    const options = parseStartOptions([]);
    assert.equal(options.drainEveryMs, 60_000); // drainReservedPushes: every 1 minutes
    assert.equal(options.pruneEveryMs, 24 * 60 * 60_000); // pruneStaleTokens: daily
    assert.equal(options.help, false);
  });

  it('when --drain-every is given, in either spelling, then the drain interval follows it', () => {
    assert.equal(parseStartOptions(['--drain-every', '10s']).drainEveryMs, 10_000);
    assert.equal(parseStartOptions(['--drain-every=500ms']).drainEveryMs, 500);
    assert.equal(parseStartOptions(['--prune-every', '2h']).pruneEveryMs, 7_200_000);
  });

  it('when a duration has no unit, is too short or a flag is unknown, then the message names it', () => {
    assert.throws(() => parseDuration('10', '--drain-every'), /--drain-every .*got "10"/);
    assert.throws(() => parseDuration('50ms', '--drain-every'), /at least 100ms/);
    assert.throws(() => parseStartOptions(['--drain-every']), /--drain-every needs a value/);
    assert.throws(() => parseStartOptions(['--drian-every', '1s']), /Unknown option --drian-every/);
  });

  it('when an interval is shown, then it reads as the user would write it', () => {
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(formatDuration(1_500), '1500ms');
    assert.equal(formatDuration(parseDuration('10s', 'x')), '10s');
  });
});
