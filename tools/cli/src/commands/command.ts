import type { Options, ParsedArgs } from '../args';
import type { CliContext } from '../context';
import type { Output } from '../output';

/** One `fcm-push <name>` command: its help, its options, and what it does. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and option lines for `--help` (global options are added by main). */
  help: string;
  options: Options;
  allowPositionals: boolean;
  /** Answers the exit code: 0, or 1 when part of the job could not be done. */
  run(args: ParsedArgs, ctx: CliContext, out: Output): Promise<number>;
}
