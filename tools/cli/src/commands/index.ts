import type { Command } from './command';
import { cancel } from './cancel';
import { list } from './list';
import { operator } from './operator';
import { outbox } from './outbox';
import { prefs } from './prefs';
import { prune } from './prune';
import { retry } from './retry';
import { send } from './send';
import { show } from './show';
import { stats } from './stats';

/** Every command, in the order `fcm-push --help` lists them. */
export const COMMANDS: readonly Command[] = [
  send,
  list,
  show,
  retry,
  cancel,
  stats,
  outbox,
  prune,
  prefs,
  operator,
];
