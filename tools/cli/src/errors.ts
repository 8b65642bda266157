/**
 * The two ways a command fails, each with its exit code: scripts tell "you called me wrong" (2)
 * from "the operation did not work" (1) without parsing messages.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Bad flags, arguments or combinations: nothing was done. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran but could not do (all of) its job: not found, refused, FCM or Firestore down. */
export class OperationalError extends Error {
  readonly exitCode = EXIT.failed;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OperationalError';
  }
}
