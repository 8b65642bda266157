/** The code snippets of docs/ that apps copy, read as text so that tests can check them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of docs/`file` from the first `from` up to the first `to` (headings, usually). */
export function docSection(file: string, from: string, to: string): string {
  const text = readFileSync(join(__dirname, '..', '..', 'docs', file), 'utf8');
  return text.slice(text.indexOf(from), text.indexOf(to));
}

/**
 * In `section`, the snippet under the bold heading `**heading**` (the first one after `after`):
 * the text from the heading to the end of its code block.
 */
export function snippetIn(section: string, heading: string, after = ''): string {
  const start = section.indexOf(`**${heading}**`, section.indexOf(after));
  assert.ok(start >= 0, `no ${heading} snippet${after ? ` after ${after}` : ''}`);
  const open = section.indexOf('```', start);
  return section.slice(start, section.indexOf('```', open + 3));
}
