/** Sign in with email and password (accounts of the project's Firebase Auth). */
import { signInWithEmailAndPassword } from 'firebase/auth';
import type { Services } from '../firebase/services';
import { errorText, fill, h, notice, type Page } from '../ui/dom';

export function signInPage(services: Services): Page {
  const email = h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const message = h('div', {});
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: (e) => {
        e.preventDefault();
        fill(message, notice('info', 'Signing in…'));
        signInWithEmailAndPassword(services.auth, email.value.trim(), password.value).catch(
          (err: unknown) => fill(message, notice('error', `Sign-in failed: ${errorText(err)}`)),
        );
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Operators only: your account needs the operator claim.'),
    h('label', {}, 'Email', email),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  return { el: form, dispose: () => undefined };
}
