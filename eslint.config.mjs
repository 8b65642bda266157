// ESLint flat config: TypeScript-aware rules for functions/, console/, test/ and tools/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'functions/lib/**',
      '.tmp/**',
      'console/dist/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Typed rules: a promise nobody awaits (or one passed where a callback's result is ignored)
    // is how a write gets lost or an error goes unreported.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // A skipped test is not a passing one (test/run.ts counts it as failed); .only hides the rest.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test', 'suite'].flatMap((object) =>
          ['skip', 'only', 'todo'].map((property) => ({
            object,
            property,
            message: 'Do not skip, focus or leave tests todo: fix or delete the test.',
          })),
        ),
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name=/^(skip|only|todo)$/][parent.parent.type='CallExpression']",
          message: 'Do not skip, focus or leave tests todo: fix or delete the test.',
        },
      ],
    },
  },
  {
    // The CLI's bin is a plain CommonJS shim that loads the TypeScript entry through tsx.
    files: ['tools/cli/bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Only the params module may read the environment (see functions/src/config/params.ts).
    files: ['functions/src/**/*.ts'],
    ignores: ['functions/src/config/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through config/params.ts.',
        },
      ],
    },
  },
  {
    // Ports point inward: use cases own their store interfaces (use-cases/ports.ts) and never
    // import an adapter; adapters implement the ports and import nothing else of the use cases.
    files: ['functions/src/use-cases/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/*'], message: 'Use cases depend on ports.ts, not adapters.' },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/use-cases/*', '!**/use-cases/ports'],
              message:
                'Adapters implement use-cases/ports.ts and import nothing else from use cases.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tools never import the tests: what both need lives in tools/ (local-env, local-google,
    // support, ...) and the tests import it from there.
    files: ['tools/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)test/',
              message: 'tools/ must not import test/: move what both need into tools/.',
            },
          ],
        },
      ],
    },
  },
);
