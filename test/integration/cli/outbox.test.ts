/**
 * `fcm-push outbox --unprocessed [--replay]`: the recovery path for pushRequests documents whose
 * trigger never recorded an outcome. No trigger runs in this tier, so a document written here
 * stays unprocessed until the CLI (or the use case, playing the trigger) processes it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldValue } from 'firebase-admin/firestore';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { jsonOf, useCliWorld } from './cli-world';

interface OutboxRun {
  scanned: number;
  unprocessed: number;
  replayed?: number;
  failed?: number;
  more: boolean;
  last?: string;
  documents: Array<{
    path: string;
    createdAt: string;
    ageSeconds: number;
    outcome?: {
      status: string;
      pushIds?: string[];
      notificationIds?: string[];
      reason?: string;
      field?: string;
    };
  }>;
}

describe('fcm-push outbox', () => {
  const world = useCliWorld();

  const requests = () => world.fs.db.collection('pushRequests');
  /** Writes the outbox document pushRequests/`id` (no trigger runs in this tier). */
  const write = (id: string, data: Record<string, unknown>) => requests().doc(id).set(data);
  const size = async (name: string) => (await world.fs.db.collection(name).get()).size;
  const outbox = async (...flags: string[]) => {
    const run = await world.cli(['outbox', '--unprocessed', ...flags, '--json']);
    return { run, out: run.stdout ? jsonOf<OutboxRun>(run) : undefined };
  };
  /** Strips the recorded outcome, as if recording it had never happened. */
  const forgetOutcome = (id: string) =>
    requests().doc(id).update({
      status: FieldValue.delete(),
      pushIds: FieldValue.delete(),
      notificationIds: FieldValue.delete(),
      skipped: FieldValue.delete(),
      processedAt: FieldValue.delete(),
      deleteAt: FieldValue.delete(),
    });

  it('when outbox documents were never processed, then --unprocessed lists them with their age and changes nothing', async () => {
    await write('a-done', { to: { token: 't' }, title: 'x', status: 'accepted' });
    await write('b-stuck', { to: { token: 't' }, title: 'stuck' });
    await write('c-stuck', { to: { uid: 'u1' }, title: 'stuck too' });
    const { run, out } = await outbox();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(out!.scanned, 3);
    assert.equal(out!.more, false);
    assert.deepEqual(
      out!.documents.map((d) => d.path),
      ['pushRequests/b-stuck', 'pushRequests/c-stuck'],
    );
    for (const d of out!.documents) {
      assert.ok(d.ageSeconds >= 0 && d.ageSeconds < 60, `age ${d.ageSeconds}`);
      assert.ok(!Number.isNaN(Date.parse(d.createdAt)));
      assert.equal(d.outcome, undefined);
    }
    assert.equal((await requests().doc('b-stuck').get()).get('status'), undefined);
    assert.deepEqual([await size('pushes'), await size('notifications')], [0, 0]);

    const text = await world.cli(['outbox', '--unprocessed']);
    assert.match(text.stdout, /^pushRequests\/b-stuck {2}age \d+s {2}created \S+$/m);
    assert.match(text.stdout, /^scanned 3, 2 without a status \(replay them with --replay\)$/m);
  });

  it('when replaying an unprocessed outbox document twice, then it is queued once', async () => {
    await write('to-token', { to: { token: 'replay-token' }, title: 'Hello' });
    await write('to-user', { to: { uid: 'replay-user' }, title: 'Hello' });

    const first = await outbox('--replay');
    assert.equal(first.run.code, 0, first.run.stderr);
    assert.deepEqual([first.out!.unprocessed, first.out!.replayed, first.out!.failed], [2, 2, 0]);
    const [token, user] = first.out!.documents;
    assert.equal(token!.outcome!.status, 'accepted');
    assert.equal(token!.outcome!.pushIds!.length, 1);
    assert.equal(user!.outcome!.notificationIds!.length, 1);
    const recorded = await requests().doc('to-token').get();
    assert.equal(recorded.get('status'), 'accepted');
    assert.deepEqual(recorded.get('pushIds'), token!.outcome!.pushIds);

    // Replayed again: nothing is left without a status, nothing is queued.
    const second = await outbox('--replay');
    assert.deepEqual([second.out!.unprocessed, second.out!.replayed], [0, 0]);
    assert.deepEqual([await size('pushes'), await size('notifications')], [1, 1]);

    // Even a document whose outcome was lost is replayed onto the same ids.
    await forgetOutcome('to-token');
    await forgetOutcome('to-user');
    const third = await outbox('--replay');
    assert.equal(third.out!.replayed, 2);
    assert.deepEqual(third.out!.documents[0]!.outcome!.pushIds, token!.outcome!.pushIds);
    assert.deepEqual(
      third.out!.documents[1]!.outcome!.notificationIds,
      user!.outcome!.notificationIds,
    );
    assert.deepEqual([await size('pushes'), await size('notifications')], [1, 1]);
  });

  it('when the trigger queued a document but died before recording it, then the replay records the outcome and queues nothing twice', async () => {
    const ref = requests().doc('half-done');
    await ref.set({ to: { token: 'half-token' }, title: 'Half', key: 'k1' });
    const snap = await ref.get();
    // The trigger's first step, with the ids it derives: the document path and creation time.
    const byTrigger = await acceptPushRequest(world.stores, snap.data()!, {
      path: ref.path,
      createTimeMs: snap.createTime!.toMillis(),
      nowMs: Date.now(),
    });
    assert.equal(byTrigger.status, 'accepted');
    const pushesBefore = await world.fs.db.collection('pushes').get();
    assert.equal(pushesBefore.size, 1);

    const { run, out } = await outbox('--replay');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(out!.replayed, 1);
    assert.deepEqual(
      out!.documents[0]!.outcome!.pushIds,
      byTrigger.status === 'accepted' ? byTrigger.queued.pushIds : [],
    );
    assert.equal((await ref.get()).get('status'), 'accepted');
    const pushesAfter = await world.fs.db.collection('pushes').get();
    assert.equal(pushesAfter.size, 1);
    assert.ok(
      pushesAfter.docs[0]!.updateTime.isEqual(pushesBefore.docs[0]!.updateTime),
      'the queued push was written again',
    );
  });

  it('when a replayed document is malformed, then it is recorded as rejected with its field and nothing is queued', async () => {
    await write('bad', { to: { token: 'x' }, title: 'Hi', data: { n: 1 } });
    const { run, out } = await outbox('--replay');
    assert.equal(run.code, 0, run.stderr);
    const outcome = out!.documents[0]!.outcome!;
    assert.equal(outcome.status, 'rejected');
    assert.equal(outcome.field, 'data.n');
    const doc = await requests().doc('bad').get();
    assert.deepEqual([doc.get('status'), doc.get('field')], ['rejected', 'data.n']);
    assert.equal(await size('pushes'), 0);

    const text = await world.cli(['outbox', '--unprocessed', '--replay']);
    assert.match(text.stdout, /^scanned 1, 0 without a status, 0 replayed, 0 failed$/m);
  });

  it('when more documents exist than --limit, then the scan stops there and --start-after continues it', async () => {
    for (const id of ['d1', 'd2', 'd3', 'd4', 'd5']) {
      await write(id, { to: { token: `t-${id}` }, title: id });
    }
    const first = await outbox('--limit', '2');
    assert.deepEqual([first.out!.scanned, first.out!.more, first.out!.last], [2, true, 'd2']);
    assert.deepEqual(
      first.out!.documents.map((d) => d.path),
      ['pushRequests/d1', 'pushRequests/d2'],
    );
    const text = await world.cli(['outbox', '--unprocessed', '--limit', '2']);
    assert.match(text.stdout, /continue with --start-after d2$/m);

    const rest = await outbox('--start-after', 'd2', '--replay');
    assert.deepEqual([rest.out!.scanned, rest.out!.more, rest.out!.replayed], [3, false, 3]);
    assert.deepEqual(
      rest.out!.documents.map((d) => d.path),
      ['pushRequests/d3', 'pushRequests/d4', 'pushRequests/d5'],
    );
    assert.equal(await size('pushes'), 3);
    assert.equal((await requests().doc('d1').get()).get('status'), undefined);
  });

  it('when outbox runs without --unprocessed or with a bad limit, then it is a usage error and --help explains the recovery', async () => {
    assert.equal((await world.cli(['outbox'])).code, 2);
    assert.equal((await world.cli(['outbox', '--unprocessed', '--limit', '0'])).code, 2);
    assert.equal((await world.cli(['outbox', '--unprocessed', '--start-after', 'a/b'])).code, 2);
    const help = await world.cli(['outbox', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: fcm-push outbox --unprocessed \[--replay\]/);
    assert.match(help.stdout, /retries run out/);
    assert.match(help.stdout, /same ids|exactly as the trigger derives them/);
  });
});
