/**
 * `SendOptions.deadlineMs`: no request, 401 replay or access-token fetch starts at or after the
 * deadline; what did not start is NOT_SENT. A fake clock and a scripted transport, so nothing here
 * depends on the machine's speed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessTokenProvider } from '../../../functions/src/fcm/access-token';
import { classifyFcmError } from '../../../functions/src/fcm/classify';
import { createFcmSender } from '../../../functions/src/fcm/client';
import type {
  HttpRequest,
  HttpResponse,
  HttpTransport,
} from '../../../functions/src/fcm/transport';
import { TransportError } from '../../../functions/src/fcm/transport';
import type { FcmMessage, SendOutcome } from '../../../functions/src/fcm/types';

const OK: HttpResponse = { status: 200, headers: {}, body: '{"name":"projects/p/messages/1"}' };
const UNAUTHENTICATED: HttpResponse = {
  status: 401,
  headers: {},
  body: JSON.stringify({ error: { code: 401, message: 'bad token', status: 'UNAUTHENTICATED' } }),
};

function world(answer: (request: HttpRequest, n: number) => Promise<HttpResponse> | HttpResponse) {
  const clock = { now: 1_000_000 };
  const posts: HttpRequest[] = [];
  const tokenCalls = { count: 0 };
  const transport: HttpTransport = {
    async post(request) {
      posts.push(request);
      return answer(request, posts.length);
    },
    close: async () => undefined,
  };
  let onToken: () => void = () => undefined;
  const tokenProvider: AccessTokenProvider = {
    async getToken() {
      tokenCalls.count += 1;
      onToken();
      return `token-${tokenCalls.count}`;
    },
    invalidate: () => undefined,
  };
  const sender = createFcmSender({
    projectId: 'p',
    tokenProvider,
    transport,
    concurrency: 1,
    timeoutMs: 1_000,
    now: () => clock.now,
  });
  return {
    clock,
    posts,
    tokenCalls,
    sender,
    setOnToken: (f: () => void) => (onToken = f),
  };
}

const messages = (n: number): FcmMessage[] =>
  Array.from({ length: n }, (_, i) => ({ token: `device-${i}`, data: { i: String(i) } }));

function assertNotSent(outcome: SendOutcome | undefined): void {
  assert.ok(outcome && !outcome.ok, JSON.stringify(outcome));
  assert.equal(outcome.notSent, true);
  assert.equal(outcome.error.code, 'NOT_SENT');
  assert.match(outcome.error.message, /deadline/);
  assert.deepEqual(classifyFcmError(outcome.error), { kind: 'retry', delayMs: 0 });
}

describe('FCM client deadline', () => {
  it('when the deadline has passed, then nothing starts: no token, no request, every message NOT_SENT', async () => {
    const w = world(() => OK);
    const outcomes = await w.sender.sendAll(messages(3), { deadlineMs: w.clock.now });
    assert.equal(outcomes.length, 3);
    outcomes.forEach(assertNotSent);
    assert.equal(w.posts.length, 0);
    assert.equal(w.tokenCalls.count, 0);
  });

  it('when the deadline passes during a run, then started messages finish and the rest are NOT_SENT', async () => {
    const w = world((_request, n) => {
      if (n === 2) w.clock.now += 5_000; // the second answer arrives after the deadline
      return OK;
    });
    const outcomes = await w.sender.sendAll(messages(4), { deadlineMs: w.clock.now + 1_000 });
    assert.deepEqual(
      outcomes.map((o) => o.ok),
      [true, true, false, false],
    );
    assertNotSent(outcomes[2]);
    assertNotSent(outcomes[3]);
    assert.equal(w.posts.length, 2);
  });

  it('when the deadline passes while the access token is fetched, then the request does not start', async () => {
    const w = world(() => OK);
    w.setOnToken(() => (w.clock.now += 5_000));
    const outcome = await w.sender.send(messages(1)[0]!, { deadlineMs: w.clock.now + 1_000 });
    assertNotSent(outcome);
    assert.equal(w.posts.length, 0);
  });

  it('when FCM answers 401 after the deadline, then neither a new token nor the replay starts', async () => {
    const w = world(() => {
      w.clock.now += 5_000;
      return UNAUTHENTICATED;
    });
    const outcome = await w.sender.send(messages(1)[0]!, { deadlineMs: w.clock.now + 1_000 });
    assertNotSent(outcome);
    assert.match((outcome as { error: { message: string } }).error.message, /401/);
    assert.equal(w.posts.length, 1);
    assert.equal(w.tokenCalls.count, 1);
  });

  it('when FCM answers 401 before the deadline, then the replay runs as usual', async () => {
    const w = world((_request, n) => (n === 1 ? UNAUTHENTICATED : OK));
    const outcome = await w.sender.send(messages(1)[0]!, { deadlineMs: w.clock.now + 1_000 });
    assert.equal(outcome.ok, true);
    assert.equal(w.posts.length, 2);
    assert.equal(w.tokenCalls.count, 2);
  });

  it('when the transport may not replay a refused stream after the deadline, then the message is NOT_SENT', async () => {
    const w = world(async (request) => {
      w.clock.now += 5_000;
      assert.equal(request.mayStart?.(), false, 'the transport is told not to replay');
      throw new TransportError('NETWORK_ERROR', 'refused', { unprocessed: true });
    });
    assertNotSent(await w.sender.send(messages(1)[0]!, { deadlineMs: w.clock.now + 1_000 }));
  });

  it('when a started request fails in a way that may have reached FCM, then it is not NOT_SENT', async () => {
    const w = world(async () => {
      w.clock.now += 5_000;
      throw new TransportError('TIMEOUT', 'no answer within 1000 ms');
    });
    const outcome = await w.sender.send(messages(1)[0]!, { deadlineMs: w.clock.now + 1_000 });
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'TIMEOUT');
    assert.equal(outcome.notSent, undefined);
  });

  it('when the token provider hangs, then the wait is bounded by the request timeout', async () => {
    const sender = createFcmSender({
      projectId: 'p',
      tokenProvider: {
        getToken: () => new Promise<string>(() => undefined),
        invalidate: () => undefined,
      },
      transport: { post: async () => OK, close: async () => undefined },
      timeoutMs: 50,
    });
    const outcome = await sender.send(messages(1)[0]!);
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'AUTH_ERROR');
    assert.match(outcome.error.message, /within 50 ms/);
  });
});
