/**
 * The shard worker's task queue, through firebase-admin's `getFunctions().taskQueue()`: Cloud
 * Tasks in production (the queue firebase deploy creates for the `drainShard` task-queue
 * function), the Cloud Tasks emulator locally (firebase-admin enqueues there when the Functions
 * emulator sets CLOUD_TASKS_EMULATOR_HOST).
 *
 * Task names come from the caller (hashed: Cloud Tasks slows down on sequential names); a name
 * already used answers 'duplicate' instead of enqueueing twice. Cloud Tasks keeps a used name for
 * about an hour after its task ended (longer than a minute tick's retries), the emulator forever.
 */
import type { App } from 'firebase-admin/app';
import { getFunctions } from 'firebase-admin/functions';
import type { ShardTask, ShardTaskQueue } from '../use-cases/ports';

export interface TaskQueueOptions {
  /** The worker function's name, e.g. `drainShard`. */
  functionName: string;
  region: string;
  /** How long Cloud Tasks waits for the worker's answer (its timeout): 15..1800 s. */
  dispatchDeadlineSeconds: number;
}

export function createShardTaskQueue(app: App, options: TaskQueueOptions): ShardTaskQueue {
  const queue = getFunctions(app).taskQueue<ShardTask>(
    `locations/${options.region}/functions/${options.functionName}`,
  );
  return {
    async enqueue(task, { id, delaySeconds }) {
      try {
        await queue.enqueue(task, {
          id,
          dispatchDeadlineSeconds: options.dispatchDeadlineSeconds,
          ...(delaySeconds && delaySeconds > 0
            ? { scheduleDelaySeconds: Math.ceil(delaySeconds) }
            : {}),
        });
        return 'enqueued';
      } catch (err) {
        if ((err as { code?: string }).code === 'functions/task-already-exists') return 'duplicate';
        throw err;
      }
    },
  };
}
