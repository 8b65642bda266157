/**
 * `fcm-push <command> [options]`: parses, picks the target (local stack or --project), runs the
 * command, maps failures to exit codes (2 usage, 1 operational). Takes its streams and environment
 * as arguments so tests can run it in-process exactly as the binary does.
 */
import { flag, parseCommandArgs, splitCommand } from './args';
import { COMMANDS } from './commands';
import type { Command } from './commands/command';
import { localEnv } from '../../local-env/local-env';
import { createContext, resolveTarget } from './context';
import { EXIT, OperationalError, UsageError } from './errors';
import { createOutput, type Streams } from './output';

export interface CliIo extends Streams {
  env: NodeJS.ProcessEnv;
}

const globalHelp = (local = localEnv()) => `Global options:
  --project <id>          work on a real Firebase project: its Firestore, https://fcm.googleapis.com,
                          Application Default Credentials (gcloud auth application-default login,
                          or GOOGLE_APPLICATION_CREDENTIALS). Without it: the local stack, project
                          ${local.projectId}, Firestore emulator at FIRESTORE_EMULATOR_HOST or ${local.firestore.address},
                          FCM and access tokens from the local servers of functions/.env.${local.projectId}.
  --json                  the result as one JSON document on stdout (progress stays on stderr)
  -h, --help              this help
  --fcm-endpoint <url>    local stack only: another local FCM v1 server (tests)
  --metadata-host <h:p>   local stack only: another local metadata server for tokens (tests)

Exit codes: 0 done, 1 failed or partly failed, 2 usage error (nothing done).`;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'fcm-push: send test pushes, inspect and repair the push queue of firebase-push-server.',
    '',
    'Usage: fcm-push <command> [options]      fcm-push <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    globalHelp(),
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `${command.help}\n\n${globalHelp()}\n`;
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new UsageError(
      `unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
    );
  }
  return command;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  let commandName: string | undefined;
  try {
    const { command: name, rest } = splitCommand(argv);
    commandName = name;
    const asksHelp = rest.includes('--help') || rest.includes('-h');
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
      if (topic !== undefined) {
        io.stdout.write(commandHelp(findCommand(topic)));
        return EXIT.ok;
      }
      if (name === undefined && !asksHelp) {
        io.stderr.write(mainHelp());
        throw new UsageError('missing command.');
      }
      io.stdout.write(mainHelp());
      return EXIT.ok;
    }
    const command = findCommand(name);
    const args = parseCommandArgs(rest, command.options, command.allowPositionals);
    if (flag(args, 'help')) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const target = resolveTarget(args, io.env);
    const out = createOutput(io, flag(args, 'json'));
    if (target.mode === 'project') {
      out.note(
        `project ${target.projectId} (real Firestore and FCM, Application Default Credentials)`,
      );
    }
    const ctx = createContext(target, io.env);
    try {
      return await command.run(args, ctx, out);
    } finally {
      await ctx.close();
    }
  } catch (error) {
    const usage = error instanceof UsageError;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`fcm-push: ${message}\n`);
    if (usage) {
      const hint =
        commandName && COMMANDS.some((c) => c.name === commandName)
          ? `fcm-push ${commandName} --help`
          : 'fcm-push --help';
      io.stderr.write(`(see ${hint})\n`);
    } else if (!(error instanceof OperationalError) && error instanceof Error && error.stack) {
      // Unexpected: keep the stack for a bug report, on stderr only.
      io.stderr.write(`${error.stack}\n`);
    }
    if (json) {
      const kind = usage ? 'usage' : 'failed';
      io.stdout.write(`${JSON.stringify({ ok: false, error: { kind, message } }, null, 2)}\n`);
    }
    return usage ? EXIT.usage : EXIT.failed;
  }
}
