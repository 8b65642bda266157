/**
 * What the operator callables take and answer (operatorRetry, operatorCancel,
 * operatorUserDevices, operatorTestSend): types only, with no imports, so the use cases
 * (use-cases/operator.ts) and the operator console (console/src/firebase/callables.ts) share them.
 */

export type DocumentKind = 'push' | 'notification';

/** operatorRetry / operatorCancel take `{ id }` of a push or a notification. */
export interface ActionInput {
  id: string;
}

/** What a retry or cancel did: the document, its kind and the status it left. */
export interface ActionAnswer {
  id: string;
  kind: DocumentKind;
  from: string;
}

export interface UserDevicesInput {
  uid: string;
}

export interface DeviceView {
  tokenId: string;
  /** Shortened: first 6 + '…' + last 4. Never the full token. */
  token: string;
  platform: string;
  locale?: string;
  timezone?: string;
  appVersion?: string;
  createdAt?: number;
  /** The last refresh (registerToken), ms. */
  updatedAt?: number;
}

export interface UserDevicesAnswer {
  uid: string;
  devices: DeviceView[];
}

export type TestTarget = { uid: string } | { token: string };

export interface TestSendInput {
  to: TestTarget;
  title?: string;
  content?: string;
  image?: string;
  validateOnly: boolean;
}

export interface ValidatedDevice {
  tokenId: string;
  token: string;
  ok: boolean;
  code?: string;
  message?: string;
}

export type TestSendAnswer =
  | { validateOnly: true; devices: ValidatedDevice[] }
  | { validateOnly: false; id: string; kind: DocumentKind };
