// Deployed functions. Each lives in its own file under triggers/; this file only exports.
export { registerToken } from './triggers/register-token';
export { unregisterToken } from './triggers/unregister-token';
