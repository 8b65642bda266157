import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenForLog, tokenIdOf } from '../../../functions/src/core/token-id';

describe('tokenIdOf', () => {
  it('when given a token, then it is the lowercase hex SHA-256 of it', () => {
    // echo -n abc | sha256sum
    assert.equal(
      tokenIdOf('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
  it('when logged, then only a short hash prefix appears', () => {
    const shown = tokenForLog('secret-token-value');
    assert.equal(shown, `sha256:${tokenIdOf('secret-token-value').slice(0, 12)}`);
    assert.ok(!shown.includes('secret'));
  });
});
