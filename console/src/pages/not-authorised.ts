/**
 * A signed-in user without the operator claim. The rules would refuse every read anyway; this
 * says why and how to get access, and lets the user pick up a fresh grant without signing out.
 */
import type { User } from 'firebase/auth';
import type { Services } from '../firebase/services';
import { errorText, fill, h, notice, type Page } from '../ui/dom';

export function notAuthorisedPage(
  _services: Services,
  user: User,
  recheck: () => Promise<boolean>,
): Page {
  const message = h('div', {});
  const el = h(
    'section',
    { class: 'card narrow', id: 'not-authorised' },
    h('h1', {}, 'Not authorised'),
    h(
      'p',
      {},
      `You are signed in as ${user.email ?? user.uid}, but this account is not an operator.`,
    ),
    h(
      'p',
      {},
      'Ask an admin to run ',
      h('code', {}, `npx fcm-push operator grant ${user.uid} --project <project-id>`),
      '. A grant applies once your ID token refreshes: press the button below, or sign out and in again (tokens also refresh by themselves within an hour).',
    ),
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          fill(message, notice('info', 'Refreshing your ID token…'));
          recheck().then(
            (ok) =>
              ok ||
              fill(message, notice('error', 'Still no operator claim on the refreshed token.')),
            (err: unknown) => fill(message, notice('error', errorText(err))),
          );
        },
      },
      'Refresh my access',
    ),
    message,
  );
  return { el, dispose: () => undefined };
}
