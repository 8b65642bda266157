/** One line per push the local FCM server accepts: time, short target, title, body. */
import { shortTarget, type AcceptedPush } from '../local-google/fcm-server';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function pushLine(push: Pick<AcceptedPush, 'message'>, at: Date): string {
  const notification = (push.message.notification ?? {}) as Record<string, unknown>;
  const title = typeof notification.title === 'string' ? notification.title : '(no title)';
  const body = typeof notification.body === 'string' ? notification.body : '';
  const time = at.toTimeString().slice(0, 8);
  return `${time}  push  ${shortTarget(push.message).padEnd(14)}  ${clip(title, 60)}${
    body ? `  — ${clip(body, 100)}` : ''
  }`;
}
