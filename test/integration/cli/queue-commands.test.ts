/**
 * `fcm-push list | show | retry | cancel` on pushes and notifications put into their states by the
 * product's own queue, expansion and delivery code, run in-process through the CLI's entry
 * function.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp } from 'firebase-admin/firestore';
import { tokenForLog } from '../../../functions/src/core/token-id';
import { changedWhileCancelled, jsonOf, useCliWorld } from './cli-world';

type Outcomes = {
  items: Array<{ id: string; kind?: string; ok: boolean; reason?: string; message?: string }>;
};

describe('fcm-push list, show, retry, cancel', () => {
  const world = useCliWorld();

  const LATER = () => ({ reservedAt: Date.now() + 3_600_000 });

  /** A push that ended `failed` (UNAVAILABLE on its only attempt). */
  async function failedPush(token: string, nowMs?: number): Promise<string> {
    const id = await world.queue(token, {}, nowMs);
    world.fcm.rules.forToken(token, { kind: 'error', code: 'UNAVAILABLE' }, 1);
    await world.deliver([id]);
    assert.equal((await world.doc(id)).get('status'), 'failed');
    return id;
  }

  const drainNow = () => world.drain();

  it('when listing by status, then only that status comes back, newest first, up to the limit', async () => {
    const now = Date.now();
    const f1 = await failedPush('t1', now - 3_000);
    const f2 = await failedPush('t2', now - 2_000);
    const f3 = await failedPush('t3', now - 1_000);
    const pending = await world.queue('t4', LATER(), now);
    const run = await world.cli(['list', '--status', 'failed', '--limit', '2', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<{ pushes: Array<{ id: string; code: string; attempts: number }> }>(run);
    assert.deepEqual(
      out.pushes.map((p) => p.id),
      [f3, f2],
    );
    assert.deepEqual(
      out.pushes.map((p) => [p.code, p.attempts]),
      [
        ['UNAVAILABLE', 1],
        ['UNAVAILABLE', 1],
      ],
    );

    const all = jsonOf<{ pushes: Array<{ id: string }> }>(await world.cli(['list', '--json']));
    assert.deepEqual(
      all.pushes.map((p) => p.id),
      [pending, f3, f2, f1],
    );

    const text = await world.cli(['list', '--status', 'sent']);
    assert.equal(text.stdout, 'no pushes with status sent\n');
    assert.equal((await world.cli(['list', '--limit', '0'])).code, 2);
  });

  it('when showing a push, then its fields are printed with the token hashed, and its history in order', async () => {
    const id = await failedPush('show-token');
    const run = await world.cli(['show', id, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const view = jsonOf<Record<string, unknown>>(run);
    assert.equal(view.id, id);
    assert.equal(view.status, 'failed');
    assert.deepEqual(view.target, { token: tokenForLog('show-token') });
    assert.equal(view.pushToken, tokenForLog('show-token'));
    assert.equal((view.result as { code: string }).code, 'UNAVAILABLE');
    assert.ok(!run.stdout.includes('show-token'), 'raw token printed');
    const history = view.history as Array<{
      event: string;
      by?: string;
      attempt?: number;
      code?: string;
      at: string;
    }>;
    assert.deepEqual(
      history.map((h) => [h.event, h.by, h.attempt, h.code]),
      [
        ['queued', undefined, undefined, undefined],
        ['claimed', 'test-run', 1, undefined],
        ['failed', undefined, undefined, 'UNAVAILABLE'],
      ],
    );
    assert.ok(history.every((h) => !Number.isNaN(Date.parse(h.at))));

    const text = await world.cli(['show', id]);
    assert.match(text.stdout, /^status: failed$/m);
    assert.match(
      text.stdout,
      /^history:\n {2}\S+ queued\n {2}\S+ claimed by test-run \(attempt 1\)\n {2}\S+ failed UNAVAILABLE\n/m,
    );
    assert.equal((await world.cli(['show'])).code, 2);
  });

  it('when retrying failed, rejected and expired pushes, then they are due now with a fresh budget and the drain sends them', async () => {
    const failed = await failedPush('r-failed');
    const rejectedId = await world.queue('r-rejected');
    world.fcm.rules.forToken('r-rejected', { kind: 'error', code: 'SENDER_ID_MISMATCH' }, 1);
    await world.deliver([rejectedId]);
    const expiredId = await world.queue('r-expired', { expiresAt: Date.now() + 60_000 });
    await world.fs.db
      .collection('pushes')
      .doc(expiredId)
      .update({ expiresAt: Timestamp.fromMillis(Date.now() - 1) });
    await world.deliver([expiredId]);
    assert.deepEqual(
      await Promise.all(
        [rejectedId, expiredId].map(async (id) => (await world.doc(id)).get('status')),
      ),
      ['rejected', 'expired'],
    );

    const before = Date.now();
    const run = await world.cli(['retry', failed, rejectedId, expiredId]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^3 retried, 0 not retried$/m);
    assert.match(
      run.stdout,
      new RegExp(
        `^${expiredId}  push retried \\(was expired\\); expiresAt .* had passed and was removed$`,
        'm',
      ),
    );
    for (const id of [failed, rejectedId, expiredId]) {
      const d = await world.doc(id);
      assert.equal(d.get('status'), 'pending');
      assert.equal(d.get('isSent'), false);
      assert.equal(d.get('attempts'), 0);
      assert.ok(
        d.get('nextAttemptAt').toMillis() >= before &&
          d.get('nextAttemptAt').toMillis() <= Date.now(),
      );
      assert.equal(d.get('expiresAt'), undefined);
      // Live again: neither finished nor marked for TTL deletion.
      assert.equal(d.get('finishedAt'), undefined);
      assert.equal(d.get('deleteAt'), undefined);
      const last = d.get('history').at(-1);
      assert.equal(last.event, 'retried');
      assert.match(last.by, /^fcm-push/);
    }
    const report = await drainNow();
    assert.equal(report.sent, 3);
    for (const id of [failed, rejectedId, expiredId])
      assert.equal((await world.doc(id)).get('status'), 'sent');
  });

  it('when retrying a sent, pending or unknown push, then it is refused, reported, and left unchanged', async () => {
    const sent = await world.queue('s1');
    await world.deliver([sent]);
    const pending = await world.queue('p1', LATER());
    const before = await Promise.all([sent, pending].map((id) => world.doc(id)));
    const run = await world.cli(['retry', sent, pending, 'ghost', '--json']);
    assert.equal(run.code, 1);
    const out = jsonOf<Outcomes & { retried: number; notChanged: number }>(run);
    assert.equal(out.retried, 0);
    assert.deepEqual(
      out.items.map((p) => [p.id, p.reason]),
      [
        [sent, 'refused'],
        [pending, 'refused'],
        ['ghost', 'not-found'],
      ],
    );
    assert.match(
      out.items[0]!.message!,
      /is sent \(it was delivered to FCM\): only failed, rejected, expired pushes can be retried/,
    );
    assert.match(out.items[1]!.message!, /is pending/);
    const after = await Promise.all([sent, pending].map((id) => world.doc(id)));
    after.forEach((d, i) =>
      assert.ok(d.updateTime!.isEqual(before[i]!.updateTime!), `${d.id} changed`),
    );
    assert.equal((await world.cli(['retry'])).code, 2);
  });

  it('when retrying --all-failed, then every failed push is retried and rejected ones stay', async () => {
    const failed = [await failedPush('af1'), await failedPush('af2'), await failedPush('af3')];
    const rejectedId = await world.queue('af-rejected');
    world.fcm.rules.forToken('af-rejected', { kind: 'error', code: 'SENDER_ID_MISMATCH' }, 1);
    await world.deliver([rejectedId]);
    const run = await world.cli(['retry', '--all-failed', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<Outcomes & { retried: number }>(run);
    assert.equal(out.retried, 3);
    assert.deepEqual(out.items.map((p) => p.id).sort(), [...failed].sort());
    assert.match(run.stderr, /retried 3 failed pushes so far/);
    for (const id of failed) assert.equal((await world.doc(id)).get('status'), 'pending');
    assert.equal((await world.doc(rejectedId)).get('status'), 'rejected');
  });

  it('when cancelling pending pushes, then they are cancelled with a history entry and the drain skips them', async () => {
    const a = await world.queue('c1');
    const b = await world.queue('c2');
    const sent = await world.queue('c3');
    await world.deliver([sent]);
    const run = await world.cli(['cancel', a, b, sent]);
    assert.equal(run.code, 1, 'the sent one was refused');
    assert.match(run.stdout, new RegExp(`^${sent}  not cancelled: push ${sent} is sent`, 'm'));
    assert.match(run.stdout, /^2 cancelled, 1 not cancelled$/m);
    for (const id of [a, b]) {
      const d = await world.doc(id);
      assert.equal(d.get('status'), 'cancelled');
      assert.equal(d.get('nextAttemptAt'), undefined);
      assert.equal(d.get('result').code, 'CANCELLED');
      assert.equal(d.get('history').at(-1).event, 'cancelled');
    }
    world.fcm.accepted.length = 0;
    assert.equal((await drainNow()).sent, 0);
    assert.equal(world.fcm.accepted.length, 0);
    assert.equal((await world.cli(['cancel'])).code, 2);
  });

  it('when a drain claims a push after the operator read it, then the cancel is refused and the push stays claimed', async () => {
    const id = await world.queue('race');
    const outcome = await world.cancelAfterDrainClaimed('push', id);
    assert.deepEqual(outcome, changedWhileCancelled('push', id, 'sending'));
    assert.equal((await world.doc(id)).get('status'), 'sending');
    assert.equal((await world.doc(id)).get('claimedBy'), 'drain-1');

    const viaCli = await world.cli(['cancel', id]);
    assert.equal(viaCli.code, 1);
    assert.match(
      viaCli.stdout,
      /is sending \(it is being sent right now\): only pending pushes can be cancelled/,
    );
  });
});
