/**
 * The local operator: the Auth-emulator account `npm start` creates with the operator claim and
 * the local build of the console signs in as. Plain data, imported by both (never by the
 * deployed console build). Local only: the Auth emulator holds it, no real project does.
 */
export const LOCAL_OPERATOR = {
  email: 'operator@demo-push.local',
  password: 'operator-demo',
  displayName: 'Local operator',
} as const;
