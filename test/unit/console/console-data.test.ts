/**
 * The console's pure parts (console/src/data, route.ts): which declared query each list filter
 * runs, the status lists against the backend's, the last hour from sharded minute documents, the
 * hash routes and the preview's warnings. The page itself is tested in a browser
 * (test/browser).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { QUERIES, type QuerySpec } from '../../../functions/src/adapters/queries';
import { RETRYABLE_STATUSES } from '../../../functions/src/adapters/operator-actions';
import * as backendNotification from '../../../functions/src/core/notification';
import * as backendPush from '../../../functions/src/core/push';
import { LIST_QUERY_NAMES, planList } from '../../../console/src/data/list-query';
import { bucketMinutes, toMinuteDoc, topCodes, totals } from '../../../console/src/data/minutes';
import { previewWarnings } from '../../../console/src/data/preview';
import {
  NOTIFICATION_STATUSES,
  PUSH_STATUSES,
  RETRYABLE,
} from '../../../console/src/data/statuses';
import { parseRoute, pushesHash } from '../../../console/src/route';
import { REPO_ROOT } from '../../../tools/local-env/local-env';

const MIN = 60_000;

describe('console list queries', () => {
  it('when the Pushes page filters by nothing, status, uid or both, then it runs the declared query with those values', () => {
    assert.equal(planList({ collection: 'pushes' }).name, 'recentPushes');
    assert.deepEqual(planList({ collection: 'pushes', status: 'failed' }).values, ['failed']);
    assert.equal(planList({ collection: 'pushes', uid: ' u1 ' }).name, 'pushesByUser');
    const both = planList({ collection: 'notifications', uid: 'u1', status: 'pending' });
    assert.equal(both.name, 'notificationsByUserAndStatus');
    assert.deepEqual(both.values, ['u1', 'pending']);
    assert.equal(planList({ collection: 'notifications', status: '' }).name, 'recentNotifications');
  });

  it('when a list query is planned, then it is one of QUERIES, newest first (so the index test covers it)', () => {
    assert.equal(new Set(LIST_QUERY_NAMES).size, 8);
    for (const name of LIST_QUERY_NAMES) {
      assert.ok(name in QUERIES, name);
      assert.deepEqual((QUERIES[name] as QuerySpec).order, {
        field: 'createdAt',
        direction: 'desc',
      });
    }
  });

  it('when console/src builds a Firestore query, then no field name is a literal (they come from QUERIES)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
      });
    for (const file of walk(join(REPO_ROOT, 'console', 'src'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\b(where|orderBy)\(\s*['"`]/.test(line)) offenders.push(`${file}:${i + 1}`);
        });
    }
    assert.deepEqual(offenders, []);
  });
});

describe('console statuses', () => {
  it('when the backend adds or renames a status, then the page’s copy follows', () => {
    assert.deepEqual([...PUSH_STATUSES], [...backendPush.PUSH_STATUSES]);
    assert.deepEqual([...NOTIFICATION_STATUSES], [...backendNotification.NOTIFICATION_STATUSES]);
    assert.deepEqual(RETRYABLE, [...RETRYABLE_STATUSES]);
  });
});

describe('console last hour', () => {
  const now = Date.UTC(2026, 10, 28, 5, 30, 20);
  const minute = (m: number) => Math.floor(now / MIN) * MIN - m * MIN;

  it('when a minute is written as several shard documents, then the chart sums them per minute', () => {
    const docs = [
      toMinuteDoc({ sent: 3, failed: 1, codes: { UNREGISTERED: 1 } }, minute(0)),
      toMinuteDoc(
        { sent: 2, rejected: 1, expired: 1, codes: { UNREGISTERED: 2, X: 'junk' } },
        minute(0),
      ),
      toMinuteDoc({ sent: 7 }, minute(5)),
      toMinuteDoc({ sent: 100 }, minute(60)), // outside the hour
    ];
    const buckets = bucketMinutes(docs, now);
    assert.equal(buckets.length, 60);
    assert.deepEqual(buckets[59], { start: minute(0), sent: 5, failed: 3 });
    assert.equal(buckets[54]!.sent, 7);
    assert.equal(
      buckets.reduce((s, b) => s + b.sent, 0),
      12,
    );
    assert.deepEqual(topCodes(docs), [{ code: 'UNREGISTERED', count: 3 }]);
    assert.equal(totals(docs).sent, 112);
    assert.equal(totals(docs).queued, 0);
  });

  it('when codes tie, then the top list is ordered by name and cut to n', () => {
    const docs = [toMinuteDoc({ codes: { B: 2, A: 2, C: 1 } }, minute(1))];
    assert.deepEqual(
      topCodes(docs, 2).map((c) => c.code),
      ['A', 'B'],
    );
  });
});

describe('console routes', () => {
  it('when a hash is opened, then it names the page and its parameters', () => {
    assert.deepEqual(parseRoute(''), { page: 'overview' });
    assert.deepEqual(parseRoute('#/push/abc%2F1'), { page: 'push', id: 'abc/1' });
    assert.deepEqual(parseRoute('#/users/u%201'), { page: 'users', uid: 'u 1' });
    assert.deepEqual(parseRoute('#/pushes?collection=notifications&status=pending&uid=u'), {
      page: 'pushes',
      collection: 'notifications',
      status: 'pending',
      uid: 'u',
    });
    assert.deepEqual(parseRoute(pushesHash({ collection: 'pushes', status: 'failed' })), {
      page: 'pushes',
      collection: 'pushes',
      status: 'failed',
      uid: '',
    });
    assert.deepEqual(parseRoute('#/nowhere'), { page: 'overview' });
  });
});

describe('console preview', () => {
  it('when a title or body is longer than a phone shows, then it says which platform cuts it', () => {
    assert.deepEqual(previewWarnings('Short', 'Short body'), []);
    const warnings = previewWarnings('x'.repeat(45), 'y'.repeat(200));
    assert.ok(warnings.some((w) => w.startsWith('Android: the title')));
    assert.ok(warnings.some((w) => w.startsWith('iOS: the body (200 characters)')));
    assert.ok(previewWarnings('😀'.repeat(38), '').every((w) => !w.includes('title')));
  });
});
