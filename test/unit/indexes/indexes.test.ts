/**
 * Production Firestore refuses a query without its composite index; the emulator does not. So the
 * whole of firestore.indexes.json is derived from the declared queries
 * (functions/src/adapters/queries.ts) and the index policy (adapters/index-policy.ts): composite
 * indexes, single-field exemptions and TTL fields. The file must equal the derivation
 * (`npm run gen:indexes` writes it), and no code may build a query around the declarations.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QUERIES, type QuerySpec } from '../../../functions/src/adapters/queries';
import {
  MAX_FIELD_OVERRIDES,
  SINGLE_FIELD_EXEMPTIONS,
  TTL_COLLECTIONS,
  TTL_FIELD,
  deriveIndexFile,
  requiredIndex,
  servesQuery,
  singleFieldNeeds,
  type IndexFile,
  type Order,
} from '../../../functions/src/adapters/index-policy';

const ROOT = resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('firestore.indexes.json', () => {
  const file: IndexFile = JSON.parse(readFileSync(join(ROOT, 'firestore.indexes.json'), 'utf8'));

  it('when the queries or the policy change, then the file is regenerated (run npm run gen:indexes)', () => {
    assert.deepEqual(
      file,
      deriveIndexFile(),
      'firestore.indexes.json differs from the declared queries and index policy: run npm run gen:indexes',
    );
  });

  for (const [name, spec] of Object.entries(QUERIES) as Array<[string, QuerySpec]>) {
    const need = requiredIndex(spec);
    it(`when the code runs query ${name}, then its index ${need ? 'is declared' : 'is a single-field one that stays enabled'}`, () => {
      if (need) {
        assert.ok(
          file.indexes.some((have) => servesQuery(have, spec)),
          `missing composite index for ${name}: ${JSON.stringify(need)}: run npm run gen:indexes`,
        );
        return;
      }
      // A single-field query must not lose its index to an exemption.
      const fields: Array<[string, Order]> = spec.equality.map((f) => [f, 'ASCENDING']);
      if (spec.order)
        fields.push([
          spec.order.field,
          spec.order.direction === 'asc' ? 'ASCENDING' : 'DESCENDING',
        ]);
      for (const [field, order] of fields) {
        const overrides = file.fieldOverrides.filter(
          (o) =>
            o.collectionGroup === spec.collection &&
            (field === o.fieldPath || field.startsWith(`${o.fieldPath}.`)),
        );
        const nearest = overrides.sort((a, b) => b.fieldPath.length - a.fieldPath.length)[0];
        if (nearest)
          assert.ok(
            nearest.indexes.some((i) => i.order === order),
            `${name} needs a ${order} index on ${spec.collection}.${field}, exempted by ${JSON.stringify(nearest)}`,
          );
      }
    });
  }

  it('when a declared index is in the file, then some query needs it (no dead indexes)', () => {
    for (const have of file.indexes) {
      assert.ok(
        Object.values(QUERIES).some((q) => servesQuery(have, q)),
        `unused index ${JSON.stringify(have)}`,
      );
    }
  });

  it('when firebase deploy reads the file, then firebase-tools accepts its format', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS internals
    const { FirestoreApi } = require('firebase-tools/lib/firestore/api') as {
      FirestoreApi: new () => { validateSpec(spec: unknown): void };
    };
    new FirestoreApi().validateSpec(file);
  });

  it('when finished documents expire, then deleteAt is a TTL field of each collection, without indexes', () => {
    for (const collection of ['pushes', 'notifications', 'pushRequests', 'pushKeys']) {
      assert.ok(TTL_COLLECTIONS.includes(collection as (typeof TTL_COLLECTIONS)[number]));
      assert.deepEqual(
        file.fieldOverrides.find(
          (o) => o.collectionGroup === collection && o.fieldPath === TTL_FIELD,
        ),
        { collectionGroup: collection, fieldPath: 'deleteAt', ttl: true, indexes: [] },
      );
    }
  });

  it('when payload fields and increasing timestamps are written, then no single-field index is kept that no query needs', () => {
    const payload = ['data', 'android', 'apns', 'webpush', 'history', 'result', 'source', 'target'];
    const timestamps = [
      'nextAttemptAt',
      'createdAt',
      'leaseUntil',
      'sentAt',
      'finishedAt',
      'reservedAt',
      'expiresAt',
      'processedAt',
    ];
    const needs = singleFieldNeeds(Object.values(QUERIES));
    for (const collection of ['pushes', 'notifications', 'pushRequests', 'pushKeys']) {
      const expected = [
        ...payload,
        ...timestamps,
        ...(collection === 'notifications' ? ['deliveryIds'] : []),
      ];
      for (const field of expected) {
        assert.ok(SINGLE_FIELD_EXEMPTIONS[collection]?.includes(field), `${collection}.${field}`);
        const override = file.fieldOverrides.find(
          (o) => o.collectionGroup === collection && o.fieldPath === field,
        );
        const kept = [...(needs.get(collection)?.get(field) ?? [])].sort();
        assert.deepEqual(
          override?.indexes.map((i) => i.order).sort(),
          kept,
          `${collection}.${field} keeps only what a single-field query needs`,
        );
      }
    }
  });

  it('when overrides are counted, then they stay within Firestore’s 200 single-field exemptions', () => {
    assert.ok(
      file.fieldOverrides.length <= MAX_FIELD_OVERRIDES,
      String(file.fieldOverrides.length),
    );
  });

  it('when functions/src builds a query, then its field names come from QUERIES', () => {
    // '__name__' (the document id) needs no index: a scan by document name is allowed.
    const offenders: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'functions', 'src'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\.(where|orderBy)\(\s*['"`](?!__name__['"`])/.test(line))
            offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(
      offenders,
      [],
      'query with a literal field name: declare it in adapters/queries.ts',
    );
  });
});

describe('index derivation', () => {
  // Guards the derivation itself, so the checks above cannot pass vacuously.
  it('when a query has an equality and a range field, then it asks for a composite index', () => {
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

  it('when two queries need the same index in another equality order, then it is declared once', () => {
    const { indexes } = deriveIndexFile(
      [
        { collection: 'c', equality: ['a', 'b'] },
        { collection: 'c', equality: ['b', 'a'] },
      ],
      {},
      [],
    );
    assert.equal(indexes.length, 1);
  });

  it('when a single-field query orders by an exempt field, then only that order stays indexed', () => {
    const { fieldOverrides } = deriveIndexFile(
      [{ collection: 'c', equality: [], order: { field: 'createdAt', direction: 'desc' } }],
      { c: ['createdAt', 'data'] },
      ['c'],
    );
    assert.deepEqual(fieldOverrides, [
      {
        collectionGroup: 'c',
        fieldPath: 'createdAt',
        indexes: [{ order: 'DESCENDING', queryScope: 'COLLECTION' }],
      },
      { collectionGroup: 'c', fieldPath: 'data', indexes: [] },
      { collectionGroup: 'c', fieldPath: 'deleteAt', ttl: true, indexes: [] },
    ]);
  });

  it('when a single-field query uses a subfield of an exempt map, then the subfield gets its index back', () => {
    const { fieldOverrides } = deriveIndexFile(
      [{ collection: 'c', equality: ['result.code'] }],
      { c: ['result'] },
      [],
    );
    assert.deepEqual(fieldOverrides, [
      { collectionGroup: 'c', fieldPath: 'result', indexes: [] },
      {
        collectionGroup: 'c',
        fieldPath: 'result.code',
        indexes: [{ order: 'ASCENDING', queryScope: 'COLLECTION' }],
      },
    ]);
  });

  it('when a composite index uses an exempt field, then the exemption stays (composite indexes are separate)', () => {
    const file = deriveIndexFile(
      [
        {
          collection: 'c',
          equality: ['isSent'],
          order: { field: 'nextAttemptAt', direction: 'asc' },
        },
      ],
      { c: ['nextAttemptAt'] },
      [],
    );
    assert.equal(file.indexes.length, 1);
    assert.deepEqual(file.fieldOverrides, [
      { collectionGroup: 'c', fieldPath: 'nextAttemptAt', indexes: [] },
    ]);
  });
});
