/**
 * One way to write many documents: a BulkWriter whose error handler retries exactly what
 * @google-cloud/firestore's default BulkWriter policy retries, and `flush`, which waits for every
 * write's own handling.
 *
 * The default policy (node_modules/@google-cloud/firestore/build/src/bulk-writer.js, `_errorFn`):
 * retry while `failedAttempts < MAX_RETRY_ATTEMPTS` (10) when the code is one of BatchWrite's
 * retry codes in the client config (RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE), or INTERNAL on a
 * delete. Everything else fails at once: ALREADY_EXISTS and FAILED_PRECONDITION are answers
 * (create-if-absent, update-if-unchanged), and NOT_FOUND, INVALID_ARGUMENT or PERMISSION_DENIED
 * will not change by retrying; retrying them only burns the lease the writes run under.
 * test/unit/adapters/bulk-writes.test.ts checks this policy against the installed library's.
 */
import type {
  BulkWriter,
  CollectionReference,
  DocumentReference,
  Firestore,
} from 'firebase-admin/firestore';
import { timestampOf, versionOf } from './versions';

/** gRPC status codes the adapters act on (google.rpc.Code). */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** BatchWrite's retry codes (firestore_client_config.json: resource_exhausted_aborted_unavailable). */
export const RETRYABLE_WRITE_CODES: readonly number[] = [
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.ABORTED,
  GRPC.UNAVAILABLE,
];

/** The library's MAX_RETRY_ATTEMPTS: a write is tried at most this many times. */
export const MAX_WRITE_ATTEMPTS = 10;

/** What the error handler sees of a failed write (a BulkWriterError). */
export interface FailedWrite {
  code: number;
  failedAttempts: number;
  operationType: 'create' | 'set' | 'update' | 'delete';
}

/** The default BulkWriter retry decision, optionally with fewer attempts. */
export function shouldRetryWrite(err: FailedWrite, maxAttempts = MAX_WRITE_ATTEMPTS): boolean {
  const retryable =
    RETRYABLE_WRITE_CODES.includes(err.code) ||
    (err.operationType === 'delete' && err.code === GRPC.INTERNAL);
  return retryable && err.failedAttempts < Math.min(maxAttempts, MAX_WRITE_ATTEMPTS);
}

/**
 * A BulkWriter with the retry policy above. `maxAttempts` lowers the attempt limit (never above
 * the library's 10) for writes that run under a lease and should give up sooner.
 */
export function createBulkWriter(
  db: Firestore,
  options: { maxAttempts?: number } = {},
): BulkWriter {
  const w = db.bulkWriter();
  w.onWriteError((err) => shouldRetryWrite(err, options.maxAttempts));
  return w;
}

/**
 * Closes the writer and waits for every write's own handling. Handlers are attached (allSettled)
 * before anything can reject, so no rejection goes unhandled while the writer flushes; then the
 * first failure the writes' own handlers did not absorb is thrown.
 */
export async function flush(w: BulkWriter, writes: Array<Promise<unknown>>): Promise<void> {
  const settled = Promise.allSettled(writes);
  await w.close();
  const failed = (await settled).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** The gRPC code of a failed write or call, if it has one. */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Creates each document unless it exists (ids derive from events, so a replay finds its own
 * documents written); answers how many this call created.
 */
export async function createIfAbsent(
  db: Firestore,
  docs: ReadonlyArray<{ ref: DocumentReference; data: Record<string, unknown> }>,
): Promise<{ created: number }> {
  const w = createBulkWriter(db);
  let created = 0;
  const writes = docs.map(({ ref, data }) =>
    w.create(ref, data).then(
      () => void created++,
      (err: unknown) => {
        if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
      },
    ),
  );
  await flush(w, writes);
  return { created };
}

/**
 * Updates each record's document only while it is still at the version read (`lastUpdateTime`),
 * so of two runs that read the same version only one update commits; answers `won(record, the
 * version of this write)` for the records whose update committed. The others are left out:
 * another run changed the document first (for a claim: claimed it).
 */
export async function updateIfUnchanged<R extends { id: string; version: string }, T>(
  db: Firestore,
  col: CollectionReference,
  records: readonly R[],
  fieldsOf: (r: R) => Record<string, unknown>,
  won: (r: R, writeVersion: string) => T,
): Promise<T[]> {
  const w = createBulkWriter(db);
  const out: T[] = [];
  const writes = records.map((r) =>
    w.update(col.doc(r.id), fieldsOf(r), { lastUpdateTime: timestampOf(r.version) }).then(
      (res) => void out.push(won(r, versionOf(res.writeTime))),
      () => undefined, // Another run changed it first.
    ),
  );
  await flush(w, writes);
  return out;
}
