/**
 * Where a command's words go. The result goes to stdout (text, or one JSON document with
 * `--json`); progress and notes go to stderr, so `--json` output stays parseable in a pipe.
 */
export interface Streams {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export interface Output {
  readonly json: boolean;
  /** The command's result: `lines` for people, `value` for scripts (`--json`). */
  result(value: unknown, lines: () => string[]): void;
  /** A note on progress of a long operation (stderr). */
  progress(message: string): void;
  /** A warning or explanation for the operator (stderr). */
  note(message: string): void;
}

export function createOutput(streams: Streams, json: boolean): Output {
  return {
    json,
    result(value, lines) {
      if (json) streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else for (const line of lines()) streams.stdout.write(`${line}\n`);
    },
    progress(message) {
      streams.stderr.write(`… ${message}\n`);
    },
    note(message) {
      streams.stderr.write(`${message}\n`);
    },
  };
}
