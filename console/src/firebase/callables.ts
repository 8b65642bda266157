/**
 * The operator callables (functions check the operator claim and App Check, and write the
 * operator's uid into the push's history). Shapes as in the console contract.
 */
import { httpsCallable } from 'firebase/functions';
import type { Services } from './services';

export interface ActionResult {
  id: string;
  kind: 'push' | 'notification';
  from: string;
}

export interface Device {
  tokenId: string;
  /** Shortened by the callable: the full token never reaches the page here. */
  token: string;
  platform: string;
  locale?: string;
  timezone?: string;
  appVersion?: string;
  createdAt?: number;
  updatedAt?: number;
}

export type TestTarget = { uid: string } | { token: string };

export interface TestSendInput {
  to: TestTarget;
  title?: string;
  content?: string;
  image?: string;
  validateOnly: boolean;
}

export type TestSendResult =
  | {
      validateOnly: true;
      devices: Array<{
        tokenId: string;
        token: string;
        ok: boolean;
        code?: string;
        message?: string;
      }>;
    }
  | { validateOnly: false; id: string; kind: 'push' | 'notification' };

async function call<Req, Res>(services: Services, name: string, data: Req): Promise<Res> {
  const res = await httpsCallable<Req, Res>(services.functions, name)(data);
  return res.data;
}

export const operatorRetry = (s: Services, id: string) =>
  call<{ id: string }, ActionResult>(s, 'operatorRetry', { id });
export const operatorCancel = (s: Services, id: string) =>
  call<{ id: string }, ActionResult>(s, 'operatorCancel', { id });
export const operatorUserDevices = (s: Services, uid: string) =>
  call<{ uid: string }, { uid: string; devices: Device[] }>(s, 'operatorUserDevices', { uid });
export const operatorTestSend = (s: Services, input: TestSendInput) =>
  call<TestSendInput, TestSendResult>(s, 'operatorTestSend', input);
