/**
 * Params as the Functions runtime sets them: in process.env, where the handlers read them at run
 * time.
 */
import { after, before, beforeEach } from 'node:test';

/** Sets each variable of `env`, deleting those that are undefined. */
export function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/** For the tests of one `describe`: the variables `names` put back afterwards as they were. */
export function useSavedEnv(names: readonly string[]): void {
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const k of names) saved[k] = process.env[k];
  });
  after(() => setEnv(saved));
}

/**
 * For the tests of one `describe`: `params` in process.env before each test (a test may change
 * one for itself), and the environment as it was restored after them.
 */
export function useParamEnv(params: Record<string, string>): void {
  useSavedEnv(Object.keys(params));
  beforeEach(() => setEnv(params));
}
