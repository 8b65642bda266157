/**
 * The published JSON Schema of an outbox document (docs/schemas/push-request.schema.json) is the
 * one the zod schema generates, and it says what the parser says about plain JSON documents.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SCHEMA_FILE, schemaFileText } from '../../../tools/gen/gen-schema';

describe('docs/schemas/push-request.schema.json', () => {
  it('when the schema is generated again, then the published file is the same (run npm run gen:schema)', async () => {
    assert.equal(
      readFileSync(SCHEMA_FILE, 'utf8'),
      await schemaFileText(),
      'docs/schemas/push-request.schema.json differs from functions/src/core/push-request.ts: run npm run gen:schema',
    );
  });

  it('when read, then it names every field, refuses others and describes targets and times', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['to']);
    assert.deepEqual(schema.properties.to.required ?? [], []);
    assert.equal(schema.properties.to.maxProperties, 1);
    assert.equal(schema.properties.to.additionalProperties, false);
    assert.equal(schema.properties.data.anyOf[0].additionalProperties.type, 'string');
    const reservedAt = JSON.stringify(schema.properties.reservedAt);
    assert.match(reservedAt, /date-time/);
    assert.match(reservedAt, /number/);
    assert.equal(schema.properties.ttlSeconds.anyOf[0].maximum, 2_419_200);
  });
});
