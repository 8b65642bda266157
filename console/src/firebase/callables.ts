/**
 * The operator callables (functions check the operator claim and App Check, and write the
 * operator's uid into the push's history). Their input and output types are the functions' own
 * (functions/src/use-cases/operator-contract.ts).
 */
import { httpsCallable } from 'firebase/functions';
import type {
  ActionAnswer,
  ActionInput,
  DeviceView,
  TestSendAnswer,
  TestSendInput,
  UserDevicesAnswer,
  UserDevicesInput,
} from '../../../functions/src/use-cases/operator-contract';
import type { Services } from './services';

export type { ActionAnswer, DeviceView, TestSendInput };

async function call<Req, Res>(services: Services, name: string, data: Req): Promise<Res> {
  const res = await httpsCallable<Req, Res>(services.functions, name)(data);
  return res.data;
}

export const operatorRetry = (s: Services, id: string) =>
  call<ActionInput, ActionAnswer>(s, 'operatorRetry', { id });
export const operatorCancel = (s: Services, id: string) =>
  call<ActionInput, ActionAnswer>(s, 'operatorCancel', { id });
export const operatorUserDevices = (s: Services, uid: string) =>
  call<UserDevicesInput, UserDevicesAnswer>(s, 'operatorUserDevices', { uid });
export const operatorTestSend = (s: Services, input: TestSendInput) =>
  call<TestSendInput, TestSendAnswer>(s, 'operatorTestSend', input);
