/**
 * A small layer over node:util parseArgs: global options may stand before or after the command,
 * every parse error becomes a UsageError (exit 2), and numbers are checked where they are read.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}
export type Options = Record<string, OptionSpec>;

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedArgs {
  values: Record<string, OptionValue>;
  positionals: string[];
}

/** Accepted by every command. */
export const GLOBAL_OPTIONS = {
  project: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // For tests and non-default local stacks; refused together with --project.
  'fcm-endpoint': { type: 'string' },
  'metadata-host': { type: 'string' },
} as const satisfies Options;

const GLOBAL_WITH_VALUE = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => `--${name}`),
);

/**
 * The command is the first argument that is neither an option nor the value of a global option,
 * so `fcm-push --project p list` and `fcm-push list --project p` mean the same.
 */
export function splitCommand(argv: readonly string[]): { command?: string; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (GLOBAL_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-'))
      return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { rest: [...argv] };
}

export function parseCommandArgs(
  argv: readonly string[],
  options: Options,
  allowPositionals: boolean,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals,
      strict: true,
    });
    return { values: values as Record<string, OptionValue>, positionals };
  } catch (error) {
    // parseArgs' messages name the option ("Unknown option '--x'"); keep them, drop the stack.
    throw new UsageError((error as Error).message);
  }
}

/** The one argument a command takes; `what` names it in the refusal ("show takes exactly one id."). */
export function onlyPositional(args: ParsedArgs, command: string, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError(`${command} takes exactly one ${what}.`);
  return args.positionals[0]!;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** An integer option within [min, max], or `fallback` when absent. */
export function intOption(
  args: ParsedArgs,
  name: string,
  range: { min: number; max: number },
  fallback: number,
): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < range.min || n > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max}.`);
  }
  return n;
}
