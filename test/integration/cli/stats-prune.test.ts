/** `fcm-push stats` (count() aggregations) and `fcm-push prune` (pruneStaleTokens, now). */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp } from 'firebase-admin/firestore';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { jsonOf, startCliWorld, type CliWorld } from './cli-world';

const DAY = 86_400_000;

describe('fcm-push stats and prune', () => {
  let world: CliWorld;
  before(async () => {
    world = await startCliWorld();
  });
  beforeEach(() => world.reset());
  after(() => world.close());

  async function ended(token: string, code: 'UNAVAILABLE' | 'UNREGISTERED'): Promise<string> {
    const id = await world.queue(token);
    world.fcm.rules.forToken(token, { kind: 'error', code }, 1);
    await world.deliver([id]);
    return id;
  }

  it('when the queue holds pushes in every state, then stats counts them, finds the oldest due one and groups failure codes', async () => {
    const t0 = Date.now();
    const oldest = await world.queue('due-1', {}, t0 - 10 * 60_000);
    await world.queue('due-2', {}, t0 - 60_000);
    await world.queue('later', { reservedAt: t0 + 3_600_000 });
    const sent = await world.queue('sent');
    await world.deliver([sent]);
    await ended('f1', 'UNAVAILABLE');
    await ended('f2', 'UNAVAILABLE');
    await ended('r1', 'UNREGISTERED');
    // A code this version does not know (written by an older one) still counts, as "other".
    const legacy = await ended('f3', 'UNAVAILABLE');
    await world.fs.db.collection('pushes').doc(legacy).update({ 'result.code': 'LEGACY_CODE' });
    const cancelled = await world.queue('c', { reservedAt: t0 + 3_600_000 });
    assert.equal((await world.cli(['cancel', cancelled])).code, 0);
    for (const token of ['a', 'b', 'c']) {
      await world.tokens.save('u', tokenIdOf(token), { token, platform: 'web' }, 10);
    }

    const run = await world.cli(['stats', '--json']);
    const checkedAt = Date.now();
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<{
      pushes: { total: number; byStatus: Record<string, number> };
      due: { count: number; oldest: { id: string; status: string; ageSeconds: number } };
      failureCodes: Record<string, number>;
      tokens: number;
    }>(run);
    assert.deepEqual(out.pushes.byStatus, {
      pending: 3,
      sending: 0,
      sent: 1,
      failed: 3,
      rejected: 1,
      expired: 0,
      cancelled: 1,
    });
    assert.equal(out.pushes.total, 9);
    assert.equal(out.due.count, 2);
    assert.equal(out.due.oldest.id, oldest);
    assert.equal(out.due.oldest.status, 'pending');
    assert.ok(out.due.oldest.ageSeconds >= 600, `age ${out.due.oldest.ageSeconds}`);
    assert.ok(out.due.oldest.ageSeconds <= (checkedAt - (t0 - 600_000)) / 1000);
    assert.deepEqual(out.failureCodes, { UNAVAILABLE: 2, UNREGISTERED: 1, other: 1 });
    assert.equal(out.tokens, 3);
    assert.match(run.stderr, /counting in demo-push/);

    const text = await world.cli(['stats']);
    assert.match(
      text.stdout,
      /^pushes: 9 \(pending 3, sending 0, sent 1, failed 3, rejected 1, expired 0, cancelled 1\)$/m,
    );
    assert.match(
      text.stdout,
      // The age is ~10 min; whole minutes print without seconds ("10m").
      new RegExp(`^due now: 2, oldest waiting 1\\dm( \\d+s)? \\(${oldest}, pending, due `, 'm'),
    );
    assert.match(text.stdout, /^failure codes: UNAVAILABLE 2, UNREGISTERED 1, other 1$/m);
  });

  it('when nothing is queued, then stats says so', async () => {
    const out = jsonOf<{
      pushes: { total: number };
      due: { count: number; oldest: null };
      failureCodes: object;
      tokens: number;
    }>(await world.cli(['stats', '--json']));
    assert.deepEqual(
      [out.pushes.total, out.due, out.failureCodes, out.tokens],
      [0, { count: 0, oldest: null }, {}, 0],
    );
  });

  async function seedTokens(ages: Record<string, number>) {
    const now = Date.now();
    for (const [token, days] of Object.entries(ages)) {
      await world.fs.db
        .collection('pushTokens')
        .doc(tokenIdOf(token))
        .set({
          uid: 'u',
          token,
          platform: 'android',
          updatedAt: Timestamp.fromMillis(now - days * DAY),
        });
    }
  }
  const tokensLeft = async () =>
    (await world.fs.db.collection('pushTokens').get()).docs.map((d) => d.get('token')).sort();

  it('when pruning without --days, then STALE_TOKEN_DAYS of the local project (60) decides', async () => {
    await seedTokens({ d61: 61, d59: 59, d10: 10 });
    const env = { ...process.env };
    delete env.STALE_TOKEN_DAYS;
    const run = await world.cli(['prune', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(jsonOf(run), {
      days: 60,
      before: jsonOf<{ before: string }>(run).before,
      dryRun: false,
      deleted: 1,
      complete: true,
    });
    assert.match(run.stderr, /deleted 1 stale tokens so far/);
    assert.deepEqual(await tokensLeft(), ['d10', 'd59']);
  });

  it('when pruning with --days or STALE_TOKEN_DAYS set, then that limit is used', async () => {
    await seedTokens({ d61: 61, d59: 59, d10: 10, d1: 1 });
    const days30 = await world.cli(['prune', '--days', '30']);
    assert.equal(days30.code, 0, days30.stderr);
    assert.match(days30.stdout, /^deleted 2 tokens not refreshed since \S+ \(30 days\)$/m);
    assert.deepEqual(await tokensLeft(), ['d1', 'd10']);
    const fromEnv = await world.cli(['prune'], { ...process.env, STALE_TOKEN_DAYS: '5' });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual(await tokensLeft(), ['d1']);
    assert.equal((await world.cli(['prune', '--days', '0'])).code, 2);
  });

  it('when pruning with --dry-run, then the stale tokens are counted and none is deleted', async () => {
    await seedTokens({ d61: 61, d59: 59, d10: 10 });
    const run = await world.cli(['prune', '--days', '30', '--dry-run', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(jsonOf<{ stale: number }>(run).stale, 2);
    assert.deepEqual(await tokensLeft(), ['d10', 'd59', 'd61']);
  });
});
