/** The local stand-ins for Google: metadata server and FCM v1 server, spoken to directly. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as http2 from 'node:http2';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import {
  FCM_ERROR_TYPE,
  type FcmServer,
  startFcmServer,
} from '../../../tools/local-google/fcm-server';
import {
  type MetadataServer,
  startMetadataServer,
} from '../../../tools/local-google/metadata-server';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

describe('local metadata server', () => {
  let metadata: MetadataServer;
  before(async () => {
    metadata = await startMetadataServer({ tokenLifetimeSeconds: 1800 });
  });
  after(() => metadata.close());

  const tokenUrl = () =>
    `${metadata.url}/computeMetadata/v1/instance/service-accounts/default/token?scopes=s`;

  it('when the Metadata-Flavor header is missing, then it refuses with 403', async () => {
    const res = await fetch(tokenUrl());
    assert.equal(res.status, 403);
    assert.equal(metadata.tokenRequests.length, 0);
  });

  it('when asked for a token, then it issues a remembered one with the configured lifetime', async () => {
    const res = await fetch(tokenUrl(), { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('metadata-flavor'), 'Google');
    const body = (await res.json()) as {
      access_token: string;
      expires_in: number;
      token_type: string;
    };
    assert.equal(body.expires_in, 1800);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(metadata.isIssued(body.access_token), true);
    assert.equal(metadata.isIssued('made-up'), false);
    assert.deepEqual(metadata.tokenRequests.at(-1)!.scopes, 's');
  });

  it('when told to fail N token requests, then exactly N fail', async () => {
    metadata.failNextTokenRequests(2, 500);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(tokenUrl(), { headers: { 'Metadata-Flavor': 'Google' } });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [500, 500, 200]);
  });

  it('when asked what google-auth-library probes, then it answers each, for the local project by default', async () => {
    const get = async (p: string) => {
      const res = await fetch(`${metadata.url}/computeMetadata/v1/${p}`, {
        headers: { 'Metadata-Flavor': 'Google' },
      });
      return [res.status, await res.text()] as const;
    };
    assert.equal((await get('instance'))[0], 200);
    assert.deepEqual(await get('project/project-id'), [200, LOCAL_PROJECT_ID]);
    assert.deepEqual(await get('instance/service-accounts/default/email'), [
      200,
      `${LOCAL_PROJECT_ID}@appspot.gserviceaccount.com`,
    ]);
    assert.deepEqual(await get('universe/universe-domain'), [200, 'googleapis.com']);
    assert.equal((await get('instance/nothing-here'))[0], 404);
  });
});

describe('local FCM v1 server', () => {
  let fcm: FcmServer;
  before(async () => {
    fcm = await startFcmServer({ isTokenValid: (t) => t === 'good' });
  });
  after(() => fcm.close());

  const post = (body: unknown, token = 'good', project = LOCAL_PROJECT_ID) =>
    fetch(`${fcm.url}/v1/projects/${project}/messages:send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('when the bearer token is unknown, then it answers 401 UNAUTHENTICATED in Google format', async () => {
    const res = await post({ message: { token: 't' } }, 'bad');
    assert.equal(res.status, 401);
    const body = (await res.json()) as {
      error: { code: number; status: string; details?: unknown };
    };
    assert.equal(body.error.code, 401);
    assert.equal(body.error.status, 'UNAUTHENTICATED');
    assert.equal(body.error.details, undefined);
  });

  it('when a data value is not a string, then it answers 400 with FcmError and BadRequest details', async () => {
    const res = await post({ message: { token: 't', data: { n: 1 } } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as {
      error: { status: string; details: Record<string, unknown>[] };
    };
    assert.equal(body.error.status, 'INVALID_ARGUMENT');
    assert.deepEqual(body.error.details, [
      { '@type': FCM_ERROR_TYPE, errorCode: 'INVALID_ARGUMENT' },
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'message.data.n', description: 'Invalid value (TYPE_STRING)' }],
      },
    ]);
  });

  it('when there is no target or the payload is too big, then it answers 400', async () => {
    assert.equal((await post({ message: { data: { a: 'b' } } })).status, 400);
    assert.equal(
      (await post({ message: { token: 't', data: { a: 'x'.repeat(4100) } } })).status,
      400,
    );
  });

  it('when the path is not messages:send, then it answers 404', async () => {
    const res = await fetch(`${fcm.url}/v1/projects/p/other`, { method: 'POST' });
    assert.equal(res.status, 404);
  });

  it('when a message is accepted, then it is recorded with its time and project', async () => {
    const before = Date.now();
    const res = await post(
      { message: { topic: 'news', notification: { title: 'T' } } },
      'good',
      'p1',
    );
    assert.equal(res.status, 200);
    const { name } = (await res.json()) as { name: string };
    const push = fcm.accepted.at(-1)!;
    assert.equal(push.name, name);
    assert.equal(push.projectId, 'p1');
    assert.equal(push.httpVersion, '1.1');
    assert.ok(push.receivedAt >= before);
  });

  it('when a client speaks h2c with :scheme https on the same port, then it is served', async () => {
    const session = http2.connect(fcm.url);
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': `/v1/projects/${LOCAL_PROJECT_ID}/messages:send`,
        ':scheme': 'https',
        authorization: 'Bearer good',
      });
      stream.end(JSON.stringify({ message: { token: 'h2-device' } }));
      const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
      stream.resume();
      await once(stream, 'end');
      assert.equal(headers[':status'], 200);
      assert.equal(fcm.accepted.at(-1)!.httpVersion, '2');
    } finally {
      session.close();
    }
  });

  it('when scripted per nth request, then only that request gets the scripted answer', async () => {
    const first = fcm.requestCount + 1;
    fcm.rules.forNth(first + 1, { kind: 'error', code: 'UNAVAILABLE', retryAfter: 10 });
    const statuses: Array<[number, string | null]> = [];
    for (let i = 0; i < 3; i++) {
      const res = await post({ message: { token: 'nth' } });
      statuses.push([res.status, res.headers.get('retry-after')]);
    }
    assert.deepEqual(statuses, [
      [200, null],
      [503, '10'],
      [200, null],
    ]);
    fcm.rules.clear();
  });
});

describe('local FCM v1 server: the rules FCM enforces', () => {
  let fcm: FcmServer;
  before(async () => {
    fcm = await startFcmServer();
  });
  after(() => fcm.close());

  async function send(message: Record<string, unknown>) {
    const res = await fetch(`${fcm.url}/v1/projects/${LOCAL_PROJECT_ID}/messages:send`, {
      method: 'POST',
      headers: { authorization: 'Bearer any', 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    const body = (await res.json()) as {
      error?: { details: Array<{ fieldViolations?: Array<{ field: string }> }> };
    };
    const fields = (body.error?.details ?? []).flatMap((d) =>
      (d.fieldViolations ?? []).map((v) => v.field),
    );
    return { status: res.status, fields };
  }

  it('when a data-only message asks an Apple device for apns-priority 10, then it answers 400', async () => {
    const message = { data: { a: 'b' }, apns: { headers: { 'apns-priority': '10' } } };
    assert.deepEqual(await send({ token: 'ios-device-1', ...message }), {
      status: 400,
      fields: ['message.apns.headers'],
    });
    fcm.appleTokens.add('registered-apple-device');
    assert.equal((await send({ token: 'registered-apple-device', ...message })).status, 400);
    // Not an Apple device, or priority 5, or a notification, or an alert: accepted.
    assert.equal((await send({ token: 'android-device', ...message })).status, 200);
    assert.equal(
      (
        await send({
          token: 'ios-device-1',
          data: { a: 'b' },
          apns: { headers: { 'apns-priority': '5' } },
        })
      ).status,
      200,
    );
    assert.equal(
      (await send({ token: 'ios-device-1', notification: { title: 'T' }, apns: message.apns }))
        .status,
      200,
    );
    assert.equal(
      (
        await send({
          token: 'ios-device-1',
          data: { a: 'b' },
          apns: { ...message.apns, payload: { aps: { alert: 'Hi' } } },
        })
      ).status,
      200,
    );
  });

  it('when android.priority is "high"/"normal" in either case, then it is accepted; other values answer 400', async () => {
    for (const priority of ['high', 'normal', 'HIGH', 'NORMAL']) {
      assert.equal((await send({ token: 't', android: { priority } })).status, 200, priority);
    }
    assert.deepEqual(await send({ token: 't', android: { priority: 'urgent' } }), {
      status: 400,
      fields: ['message.android.priority'],
    });
  });

  it('when data uses a reserved key, then it answers 400; notification and other cases are ordinary keys', async () => {
    for (const key of ['from', 'message_type', 'google.x', 'gcm.notification.body']) {
      assert.deepEqual(await send({ token: 't', data: { [key]: 'v' } }), {
        status: 400,
        fields: [`message.data.${key}`],
      });
    }
    assert.equal((await send({ token: 't', android: { data: { from: 'v' } } })).status, 400);
    assert.equal((await send({ token: 't', webpush: { data: { from: 'v' } } })).status, 400);
    const ordinary = { notification: 'a', 'gcm.n.e': 'b', FROM: 'c', Message_Type: 'd' };
    assert.equal((await send({ token: 't', data: ordinary })).status, 200);
  });

  it('when each platform payload is within 4,096 bytes, then it is accepted even if their sum is not', async () => {
    const body = 'b'.repeat(1300);
    const message = {
      token: 't',
      notification: { title: 'T', body },
      data: { orderId: '42' },
      apns: { payload: { aps: { alert: { title: 'T', body } } } },
      webpush: { notification: { title: 'T', body } },
    };
    assert.equal((await send(message)).status, 200);
    assert.equal(
      (await send({ token: 't', apns: { payload: { aps: { alert: 'x'.repeat(4100) } } } })).status,
      400,
    );
  });

  it('when a message to a topic or condition carries more than 2,048 bytes, then it answers 400', async () => {
    const data = { pad: 'x'.repeat(2100) };
    assert.equal((await send({ topic: 'news', data })).status, 400);
    assert.equal((await send({ condition: "'news' in topics", data })).status, 400);
    assert.equal((await send({ token: 't', data })).status, 200);
    assert.equal((await send({ topic: 'news', data: { pad: 'x'.repeat(1900) } })).status, 200);
  });
});

describe('local FCM v1 server, standalone', () => {
  it('when run as a script, then it prints one line per accepted push without the raw token', async () => {
    const script = path.join(__dirname, '..', '..', '..', 'tools', 'local-google', 'fcm-server.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const iterator = lines[Symbol.asyncIterator]();
      const ready = JSON.parse((await iterator.next()).value as string) as { url: string };
      const res = await fetch(`${ready.url}/v1/projects/${LOCAL_PROJECT_ID}/messages:send`, {
        method: 'POST',
        headers: { authorization: 'Bearer anything' },
        body: JSON.stringify({
          message: { token: 'secret-device-token', notification: { title: 'Hi', body: 'There' } },
        }),
      });
      assert.equal(res.status, 200);
      const line = (await iterator.next()).value as string;
      assert.match(
        line,
        new RegExp(
          `^push projects/${LOCAL_PROJECT_ID}/messages/\\S+ token:[0-9a-f]{8} title="Hi" body="There"$`,
        ),
      );
      assert.doesNotMatch(line, /secret-device-token/);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
