/**
 * `npm run gen:indexes`: writes firestore.indexes.json from the declared queries
 * (functions/src/adapters/queries.ts) and the index policy (functions/src/adapters/index-policy.ts):
 * composite indexes, single-field exemptions and TTL fields. Run it after adding or changing a
 * query; test/unit/indexes fails when the file and the declarations differ.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as prettier from 'prettier';
import { deriveIndexFile } from '../../functions/src/adapters/index-policy';

export const INDEX_FILE = join(resolve(__dirname, '..', '..'), 'firestore.indexes.json');

/** The file's text: the derived JSON, formatted as the repository's Prettier config says. */
export async function indexFileText(): Promise<string> {
  const options = (await prettier.resolveConfig(INDEX_FILE)) ?? {};
  return prettier.format(JSON.stringify(deriveIndexFile()), { ...options, filepath: INDEX_FILE });
}

if (require.main === module) {
  void indexFileText().then((text) => {
    writeFileSync(INDEX_FILE, text);
    const { indexes, fieldOverrides } = deriveIndexFile();
    console.log(
      `wrote ${INDEX_FILE}: ${indexes.length} composite indexes, ${fieldOverrides.length} field overrides`,
    );
  });
}
