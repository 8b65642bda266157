import { Timestamp } from 'firebase-admin/firestore';

/**
 * A document's last update time as the opaque `version` use cases carry (ports.ts), and back:
 * exact to the nanosecond, so a precondition built from it matches the stored update time.
 */
export function versionOf(updateTime: Timestamp): string {
  return `${updateTime.seconds}.${String(updateTime.nanoseconds).padStart(9, '0')}`;
}

export function timestampOf(version: string): Timestamp {
  const [seconds, nanos] = version.split('.');
  return new Timestamp(Number(seconds), Number(nanos));
}
