/**
 * Example check: when an order's status becomes "shipped", tell the order's user at once.
 * Watches orders/{orderId} documents with { uid, status }.
 */
import { defineCheck } from '../core/define-check';

export const orderShipped = defineCheck({
  name: 'orderShipped',
  document: 'orders/{orderId}',
  run(before, after, { orderId }) {
    const becameShipped = after?.status === 'shipped' && before?.status !== 'shipped';
    if (!becameShipped || typeof after.uid !== 'string') return [];
    return [
      {
        to: { uid: after.uid },
        title: 'Your order has shipped',
        content: `Order ${orderId} is on its way.`,
        data: { type: 'order_shipped', orderId },
        priority: 'high',
      },
    ];
  },
});
