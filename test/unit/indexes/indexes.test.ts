/**
 * Production Firestore refuses a query without its composite index; the emulator does not. So the
 * needed indexes are derived here from the declared queries (functions/src/adapters/queries.ts)
 * and must all be in firestore.indexes.json; and no code may build a query around that list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QUERIES, type QuerySpec } from '../../../functions/src/adapters/queries';

const ROOT = resolve(__dirname, '..', '..', '..');

interface IndexField {
  fieldPath: string;
  order?: 'ASCENDING' | 'DESCENDING';
}
interface Index {
  collectionGroup: string;
  queryScope: string;
  fields: IndexField[];
}

/** The composite index a query needs, or undefined when single-field indexes serve it. */
export function requiredIndex(q: QuerySpec): Index | undefined {
  const fields: IndexField[] = q.equality.map((f) => ({ fieldPath: f, order: 'ASCENDING' }));
  if (q.order && !q.equality.includes(q.order.field)) {
    fields.push({
      fieldPath: q.order.field,
      order: q.order.direction === 'asc' ? 'ASCENDING' : 'DESCENDING',
    });
  }
  if (fields.length < 2) return undefined;
  return { collectionGroup: q.collection, queryScope: 'COLLECTION', fields };
}

function satisfies(have: Index, need: Index): boolean {
  if (have.collectionGroup !== need.collectionGroup || have.queryScope !== need.queryScope)
    return false;
  if (have.fields.length !== need.fields.length) return false;
  const n = need.fields.length;
  const eqNeed = need.fields
    .slice(0, n - 1)
    .map((f) => f.fieldPath)
    .sort();
  const eqHave = have.fields
    .slice(0, n - 1)
    .map((f) => f.fieldPath)
    .sort();
  const lastNeed = need.fields[n - 1];
  const lastHave = have.fields[n - 1];
  return (
    JSON.stringify(eqNeed) === JSON.stringify(eqHave) &&
    lastNeed.fieldPath === lastHave.fieldPath &&
    lastNeed.order === lastHave.order
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('firestore.indexes.json', () => {
  const declared: Index[] = JSON.parse(
    readFileSync(join(ROOT, 'firestore.indexes.json'), 'utf8'),
  ).indexes;

  for (const [name, spec] of Object.entries(QUERIES)) {
    const need = requiredIndex(spec);
    it(`when the code runs query ${name}, then its index ${need ? 'is declared' : 'is a single-field one'}`, () => {
      if (!need) return;
      assert.ok(
        declared.some((have) => satisfies(have, need)),
        `missing composite index for ${name}: ${JSON.stringify(need)}`,
      );
    });
  }

  it('when a declared index is in the file, then some query needs it (no dead indexes)', () => {
    const needed = Object.values(QUERIES)
      .map(requiredIndex)
      .filter((i): i is Index => !!i);
    for (const have of declared) {
      assert.ok(
        needed.some((need) => satisfies(have, need)),
        `unused index ${JSON.stringify(have)}`,
      );
    }
  });

  it('when functions/src builds a query, then its field names come from QUERIES', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'functions', 'src'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\.(where|orderBy)\(\s*['"`]/.test(line))
            offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(
      offenders,
      [],
      'query with a literal field name: declare it in adapters/queries.ts',
    );
  });

  it('when the derivation sees an equality + range query, then it asks for a composite index', () => {
    // Guards the derivation itself, so the checks above cannot pass vacuously.
    assert.deepEqual(
      requiredIndex({ collection: 'c', equality: ['a'], order: { field: 'b', direction: 'desc' } }),
      {
        collectionGroup: 'c',
        queryScope: 'COLLECTION',
        fields: [
          { fieldPath: 'a', order: 'ASCENDING' },
          { fieldPath: 'b', order: 'DESCENDING' },
        ],
      },
    );
    assert.equal(requiredIndex({ collection: 'c', equality: ['a'] }), undefined);
  });
});
