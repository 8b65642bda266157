/**
 * The operator console: connect (emulators or the serving project), sign in, check the operator
 * claim, then show the page the hash names. Every page listens to Firestore while it is shown and
 * stops listening when another is opened.
 */
import { onAuthStateChanged, signOut, type User } from 'firebase/auth';
import './style.css';
import { connect } from './firebase/connect';
import type { Services } from './firebase/services';
import { notAuthorisedPage } from './pages/not-authorised';
import { overviewPage } from './pages/overview';
import { pushPage } from './pages/push';
import { pushesPage } from './pages/pushes';
import { sendPage } from './pages/send';
import { signInPage } from './pages/sign-in';
import { usersPage } from './pages/users';
import { parseRoute, type Route } from './route';
import { errorText, fill, h, notice, type Page } from './ui/dom';

/** Set on sign-out in the local build, so the form is shown instead of signing straight back in. */
const SIGNED_OUT_KEY = 'console.signedOut';

const root = document.getElementById('app')!;
let current: Page | undefined;

/** `nav`: the page links, shown to operators only (every other page refuses anyone else). */
function show(page: Page, services: Services, user?: User, nav = false): void {
  current?.dispose();
  current = page;
  fill(root, header(services, user, nav), h('main', {}, page.el));
}

function header(services: Services, user: User | undefined, nav: boolean): HTMLElement {
  const link = (hash: string, text: string) => h('a', { href: hash }, text);
  return h(
    'header',
    {},
    h('strong', { class: 'brand' }, 'Push console'),
    nav &&
      h(
        'nav',
        {},
        link('#/', 'Overview'),
        link('#/pushes', 'Pushes'),
        link('#/users', 'Users'),
        link('#/send', 'Send a test push'),
      ),
    h('span', { class: 'project' }, services.label),
    user &&
      h(
        'span',
        { class: 'who' },
        user.email ?? user.uid,
        ' ',
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => {
              sessionStorage.setItem(SIGNED_OUT_KEY, '1');
              void signOut(services.auth);
            },
          },
          'Sign out',
        ),
      ),
  );
}

function pageFor(route: Route, services: Services): Page {
  switch (route.page) {
    case 'overview':
      return overviewPage(services);
    case 'pushes':
      return pushesPage(services, route);
    case 'push':
      return pushPage(services, route.id);
    case 'users':
      return usersPage(services, route.uid);
    case 'send':
      return sendPage(services);
  }
}

async function isOperator(user: User, forceRefresh = false): Promise<boolean> {
  const token = await user.getIdTokenResult(forceRefresh);
  return token.claims.operator === true;
}

async function start(): Promise<void> {
  let services: Services;
  try {
    services = await connect();
  } catch (err) {
    fill(root, notice('error', `Could not start: ${errorText(err)}`));
    return;
  }
  let user: User | null = null;
  let operator = false;
  const render = () => {
    if (!user) show(signInPage(services), services);
    else if (!operator) show(notAuthorisedPage(services, user, recheck), services, user);
    else show(pageFor(parseRoute(location.hash), services), services, user, true);
  };
  // The claim is in the ID token: refresh it (after a grant) and look again.
  const recheck = async (): Promise<boolean> => {
    if (!user) return false;
    operator = await isOperator(user, true);
    if (operator) render();
    return operator;
  };
  window.addEventListener('hashchange', () => user && operator && render());
  onAuthStateChanged(services.auth, (next) => {
    void (async () => {
      user = next;
      operator = next ? await isOperator(next) : false;
      if (next) sessionStorage.removeItem(SIGNED_OUT_KEY);
      if (!next && services.autoSignIn && !sessionStorage.getItem(SIGNED_OUT_KEY)) {
        fill(root, h('p', { class: 'loading' }, 'Signing in as the local operator…'));
        await services.autoSignIn().catch((err: unknown) => {
          fill(
            root,
            notice(
              'error',
              `Local operator sign-in failed: ${errorText(err)}. Is npm start running?`,
            ),
          );
        });
        return; // onAuthStateChanged fires again with the user.
      }
      render();
    })();
  });
}

void start();
