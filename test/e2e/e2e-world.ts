/**
 * What the e2e tests start from: firebase-admin on the emulators' Firestore (emptied first), the
 * local FCM and metadata servers on the local project's fixed ports (the ones the functions in the
 * Functions emulator call), and, when asked for, a phone: an app signed in through the Auth
 * emulator that has registered its FCM token.
 */
import { after, before } from 'node:test';
import { startDemoGoogle, type LocalGoogle } from '../../tools/local-google/demo-google';
import type { FcmServerOptions } from '../../tools/local-google/fcm-server';
import { clientApp, type ClientApp } from '../../tools/local-stack/client-app';
import { connectTestFirestore, type TestFirestore } from '../support/emulated-firestore';

export interface E2eWorld {
  fs: TestFirestore;
  google: LocalGoogle;
  /** The phone (only with `phoneToken`): signed in, its token registered for Android. */
  phone: ClientApp;
  /** The phone's user. */
  uid: string;
}

export interface E2eWorldOptions {
  /** Sign a phone in and register this token for it. */
  phoneToken?: string;
  /** Options of the local FCM server (its port is the local project's). */
  fcm?: Omit<FcmServerOptions, 'port'>;
}

/**
 * The world for the tests of one `describe` (call it in the describe's body; the object is filled
 * in when `before` runs): started before them, closed after them.
 */
export function useE2eWorld(options: E2eWorldOptions = {}): E2eWorld {
  const world = {} as Partial<E2eWorld>;
  before(async () => {
    world.fs = connectTestFirestore();
    await world.fs.reset();
    world.google = await startDemoGoogle(options.fcm);
    if (options.phoneToken !== undefined) {
      world.phone = clientApp();
      world.uid = await world.phone.signIn();
      await world.phone.callable('registerToken')({
        token: options.phoneToken,
        platform: 'android',
      });
    }
  });
  after(async () => {
    await world.phone?.close();
    await world.google?.close();
    await world.fs?.close();
  });
  return world as E2eWorld;
}
