/**
 * Every link in the README and docs/ resolves: relative files exist, and #anchors name a heading
 * of the target page (GitHub's slugs). A doc that moves or a heading that is renamed fails here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');

function docs(): string[] {
  const out = [join(ROOT, 'README.md')];
  const dir = join(ROOT, 'docs');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) if (f.endsWith('.md')) out.push(join(dir, f));
  }
  return out;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function linksOf(markdown: string): string[] {
  const out: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) out.push(m[1]);
  }
  return out;
}

describe('documentation links', () => {
  for (const file of docs()) {
    const name = relative(ROOT, file);
    it(`when ${name} links to a file or a heading, then it exists`, () => {
      const text = readFileSync(file, 'utf8');
      const broken: string[] = [];
      for (const link of linksOf(text)) {
        if (/^[a-z]+:/i.test(link)) continue; // https:, mailto: — outside the repository.
        const [path, anchor] = link.split('#');
        const target = path ? resolve(dirname(file), path) : file;
        if (!existsSync(target)) {
          broken.push(`${link} (no such file)`);
          continue;
        }
        if (
          anchor &&
          target.endsWith('.md') &&
          !anchorsOf(readFileSync(target, 'utf8')).has(anchor)
        )
          broken.push(`${link} (no such heading)`);
      }
      assert.deepEqual(broken, []);
    });
  }

  it('when a heading has punctuation or repeats, then its anchor follows GitHub', () => {
    const a = anchorsOf('# Credentials for operators (`fcm-push --project`)\n## Notes\n## Notes\n');
    assert.deepEqual([...a], ['credentials-for-operators-fcm-push---project', 'notes', 'notes-1']);
  });

  it('when a link is broken, then the check sees it (it can fail)', () => {
    assert.ok(!anchorsOf('# Data model\n').has('data-modl'));
  });
});
