import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { devicesBeyondCap } from '../../../functions/src/core/device-cap';

describe('devicesBeyondCap', () => {
  const others = [
    { id: 'a', updatedAtMs: 100 },
    { id: 'b', updatedAtMs: 300 },
    { id: 'c', updatedAtMs: 200 },
  ];
  it('when the user is under the cap with the new device, then nothing is dropped', () => {
    assert.deepEqual(devicesBeyondCap(others, 4), []);
  });
  it('when the new device makes one too many, then the least recently updated is dropped', () => {
    assert.deepEqual(devicesBeyondCap(others, 3), ['a']);
  });
  it('when the cap is 1, then every other device is dropped', () => {
    assert.deepEqual(devicesBeyondCap(others, 1).sort(), ['a', 'b', 'c']);
  });
  it('when stamps tie, then the choice is deterministic by id', () => {
    const tie = [
      { id: 'y', updatedAtMs: 5 },
      { id: 'x', updatedAtMs: 5 },
    ];
    assert.deepEqual(devicesBeyondCap(tie, 2), ['y']);
  });
});
