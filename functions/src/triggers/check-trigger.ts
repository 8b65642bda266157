/**
 * Turns a check definition into its Firestore trigger: decode the event, run the check, log the
 * outcome, and deliver the pushes that are due now (instead of waiting for the next drain tick).
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import type { CheckDefinition, DocData } from '../checks/define-check';
import { toPlainData } from '../adapters/plain-data';
import { deliveryDeps } from '../adapters/delivery-deps';
import { runCheck } from '../use-cases/run-check';
import { deliverImmediately } from './deliver-immediately';

export function checkTrigger(check: CheckDefinition) {
  return onDocumentWritten(
    { document: check.document, region: REGION, memory: '256MiB' },
    async (event) => {
      const change = event.data;
      const before = change?.before.exists
        ? (toPlainData(change.before.data()) as DocData)
        : undefined;
      const after = change?.after.exists
        ? (toPlainData(change.after.data()) as DocData)
        : undefined;
      const deps = deliveryDeps();
      const run = await runCheck(deps, check, {
        eventId: event.id,
        path: event.document,
        params: event.params as Record<string, string>,
        before,
        after,
        nowMs: Date.now(),
      });
      for (const bad of run.invalid) {
        logger.error('check.invalid_request', {
          check: check.name,
          path: event.document,
          index: bad.index,
          reason: bad.reason,
        });
      }
      if (run.pushIds.length || run.skipped.length || run.cancelledIds.length) {
        logger.info('check.queued', {
          check: check.name,
          path: event.document,
          eventId: event.id,
          pushes: run.pushIds.length,
          created: run.created,
          dueNow: run.dueNowIds.length,
          cancelled: run.cancelledIds.length,
          skipped: run.skipped,
        });
      }
      await deliverImmediately(deps, run.dueNowIds, readSettings(), event.id);
    },
  );
}
