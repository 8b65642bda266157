import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isOperatorClaims,
  parseOperatorId,
  parseOperatorTestSend,
  parseOperatorUid,
  shortenToken,
  withOperatorClaim,
  withoutToken,
} from '../../../functions/src/core/operator';

describe('the operator claim', () => {
  it('when claims are read, then only operator: true makes an operator', () => {
    assert.equal(isOperatorClaims({ operator: true }), true);
    for (const c of [undefined, {}, { operator: false }, { operator: 'true' }, { operator: 1 }]) {
      assert.equal(isOperatorClaims(c), false, JSON.stringify(c));
    }
  });
  it('when granted or revoked, then the other claims are kept', () => {
    assert.deepEqual(withOperatorClaim({ plan: 'pro' }, true), { plan: 'pro', operator: true });
    assert.deepEqual(withOperatorClaim({ plan: 'pro', operator: true }, false), { plan: 'pro' });
    assert.equal(withOperatorClaim({ operator: true }, false), null);
    assert.deepEqual(withOperatorClaim(undefined, true), { operator: true });
  });
});

describe('tokens as operators see them', () => {
  const token = 'fGc1:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx';
  it('when shortened, then only the first 6 and last 4 characters remain', () => {
    assert.equal(shortenToken(token), 'fGc1:A…RYqx');
    assert.equal(shortenToken('short'), 'sh…');
  });
  it('when a message quotes the token, then it is shortened there too', () => {
    assert.equal(withoutToken(`token ${token} is invalid`, token), 'token fGc1:A…RYqx is invalid');
  });
});

describe('operator callable inputs', () => {
  it('when an id is sent, then it must be a document id', () => {
    assert.deepEqual(parseOperatorId({ id: 'abc' }), { ok: true, value: { id: 'abc' } });
    assert.equal((parseOperatorId({ id: 'a/b' }) as { field: string }).field, 'id');
    assert.equal((parseOperatorId({}) as { field: string }).field, 'id');
    assert.equal((parseOperatorId({ id: 'a', x: 1 }) as { field: string }).field, 'x');
    assert.equal((parseOperatorId('abc') as { field: string }).field, '(data)');
  });
  it('when a uid is sent, then it must be a non-empty string', () => {
    assert.equal(parseOperatorUid({ uid: 'u1' }).ok, true);
    assert.equal((parseOperatorUid({ uid: '' }) as { field: string }).field, 'uid');
  });
  it('when a test send is described, then it becomes a push request or names the field', () => {
    const ok = parseOperatorTestSend({ to: { uid: 'u1' }, title: 'Hi', validateOnly: true });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value.to, { uid: 'u1' });
    assert.equal(ok.value.request.title, 'Hi');
    const field = (data: unknown) => (parseOperatorTestSend(data) as { field: string }).field;
    assert.equal(field({ to: { uid: 'u1' }, title: 'Hi' }), 'validateOnly');
    assert.equal(field({ to: { topic: 'news' }, title: 'Hi', validateOnly: false }), 'to');
    assert.equal(field({ to: { uid: 'u1' }, validateOnly: false }), 'title');
    assert.equal(
      field({ to: { token: 't' }, title: 'Hi', image: 42, validateOnly: false }),
      'image',
    );
    assert.equal(
      field({ to: { uid: 'u1' }, title: 'x'.repeat(9000), validateOnly: true }),
      '(data)',
    );
  });
});
