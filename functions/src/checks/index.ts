/** Every check this deployment runs. Add yours here and export a trigger for it in src/index.ts. */
export { orderShipped } from './order-shipped';
export { appointmentReminder } from './appointment-reminder';
