import { randomBytes } from 'node:crypto';
import { buildFcmMessage, type PushTarget } from '../../../../functions/src/core/push';
import { tokenForLog } from '../../../../functions/src/core/token-id';
import { validateFcmMessage } from '../../../../functions/src/fcm';
import { flag, listOption, stringOption } from '../args';
import { OperationalError, UsageError } from '../errors';
import type { Command } from './command';

interface Recipient {
  target: PushTarget;
  /** What the operator sees: the token only as a hash prefix. */
  shown: { token: string } | { topic: string };
  platform?: string;
}

/** One target's outcome, as printed (and as `--json` gives it). */
interface TargetResult {
  target: Recipient['shown'];
  platform?: string;
  pushId: string;
  ok: boolean;
  messageId?: string;
  error?: { code: string; message: string; httpStatus?: number };
}

function parseData(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const data: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--data takes key=value, got "${pair}".`);
    data[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return data;
}

export const send: Command = {
  name: 'send',
  summary: 'send a test push now through our FCM client',
  help: `Usage: fcm-push send (--token <t> | --user <uid> | --topic <name>)
                     [--title <text>] [--body <text>] [--data key=value]... [--dry-run]

Sends one push per target now, straight through the FCM v1 client the drain uses (no queue,
no pushes document). --user sends to every registered token of the user. Prints the outcome
per target, tokens shown as a hash prefix. Exit code 1 when any target failed.

  --token <t>       one device registration token
  --user <uid>      every token in pushTokens of this user
  --topic <name>    a topic (without /topics/)
  --title, --body   the notification (at least one of --title, --body, --data)
  --data k=v        a data entry; repeat for more
  --dry-run         FCM validates the message without delivering it (validate_only)`,
  options: {
    token: { type: 'string' },
    user: { type: 'string' },
    topic: { type: 'string' },
    title: { type: 'string' },
    body: { type: 'string' },
    data: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
  },
  allowPositionals: false,
  async run(args, ctx, out) {
    const token = stringOption(args, 'token');
    const user = stringOption(args, 'user');
    const topic = stringOption(args, 'topic');
    if ([token, user, topic].filter((t) => t !== undefined).length !== 1) {
      throw new UsageError('send needs exactly one of --token, --user, --topic.');
    }
    const title = stringOption(args, 'title');
    const body = stringOption(args, 'body');
    const data = parseData(listOption(args, 'data'));
    if (title === undefined && body === undefined && data === undefined) {
      throw new UsageError('send needs --title, --body or --data.');
    }
    const dryRun = flag(args, 'dry-run');

    let recipients: Recipient[];
    if (token !== undefined) {
      recipients = [{ target: { token }, shown: { token: tokenForLog(token) } }];
    } else if (topic !== undefined) {
      recipients = [{ target: { topic }, shown: { topic } }];
    } else {
      const devices = await (await ctx.tokens()).listByUser(user!);
      if (devices.length === 0) {
        throw new OperationalError(
          `user ${user} has no registered tokens in ${ctx.target.projectId}.`,
        );
      }
      recipients = devices.map((d) => ({
        target: { token: d.token },
        shown: { token: tokenForLog(d.token) },
        platform: d.platform,
      }));
    }

    const nowMs = ctx.now();
    // Same message shape as a queued push (push_id in data, tag, apns-collapse-id).
    const messages = recipients.map((r) =>
      buildFcmMessage(
        {
          id: `fcm-push-test-${randomBytes(6).toString('hex')}`,
          target: r.target,
          title,
          content: body,
          data,
          attempts: 0,
        },
        nowMs,
      ),
    );
    // The payload is the same for every target: one bad field is the caller's mistake. A stored
    // token FCM would refuse is reported per target instead.
    const violations = validateFcmMessage(messages[0]).filter(
      (v) => user === undefined || v.field !== 'message.token',
    );
    if (violations.length > 0) {
      throw new UsageError(
        `invalid message: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
      );
    }

    if (messages.length > 1) out.progress(`sending ${messages.length} messages`);
    const outcomes = await ctx.sender().sendAll(messages, { validateOnly: dryRun });
    const results = recipients.map((r, i): TargetResult => {
      const o = outcomes[i]!;
      return {
        target: r.shown,
        ...(r.platform ? { platform: r.platform } : {}),
        pushId: messages[i]!.data!.push_id,
        ok: o.ok,
        ...(o.ok
          ? { messageId: o.messageId }
          : {
              error: {
                code: o.error.code,
                message: o.error.message,
                ...(o.error.httpStatus !== undefined ? { httpStatus: o.error.httpStatus } : {}),
              },
            }),
      };
    });
    const failed = results.filter((r) => !r.ok).length;
    out.result(
      { project: ctx.target.projectId, dryRun, sent: results.length - failed, failed, results },
      () => [
        ...results.map((r) => {
          const who = 'token' in r.target ? `token ${r.target.token}` : `topic ${r.target.topic}`;
          const device = r.platform ? ` (${r.platform})` : '';
          return r.ok
            ? `${who}${device}  ${dryRun ? 'valid' : 'sent'}  ${r.messageId}`
            : `${who}${device}  failed  ${r.error!.code}: ${r.error!.message}`;
        }),
        `${results.length - failed} ${dryRun ? 'valid (dry run, not delivered)' : 'sent'}, ${failed} failed`,
      ],
    );
    return failed > 0 ? 1 : 0;
  },
};
