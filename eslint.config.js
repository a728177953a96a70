// Lint rules for every package: typescript-eslint's recommended set on the TypeScript sources,
// plus the few house rules (STYLE.md) a linter can check.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.device/**', 'runs/**', '**/test-fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // Plugins build on the contract only (README, "The contract"): `@ungreedy/core`, plus the conformance kit
  // `@ungreedy/core/testing` in tests. Their shipped code may not reach into the engine or the app, nor into
  // core's files by path (`@ungreedy/core/dist/...`, `@ungreedy/core/src/...`).
  {
    files: ['packages/strategy-*/**/*.ts', 'packages/dataset-*/**/*.ts', 'examples/**/*.js'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^@ungreedy/core/(?!testing$).+',
          message: 'A plugin imports only the contract (@ungreedy/core) and, in tests, @ungreedy/core/testing. See the README, "The contract".',
        }, {
          regex: '^@ungreedy/backend(/|$)',
          message: 'A plugin imports only the contract (@ungreedy/core); the kernels (@ungreedy/backend) are the engine\'s. See the README, "The contract".',
        }, {
          regex: '^@tensorflow/tfjs-core$',
          message: "Use the contract's TensorFlow.js, import { tf } from '@ungreedy/core': a plugin's own copy would keep a second kernel registry.",
        }],
      }],
    },
  },
  // A plugin's own end-to-end tests and scripts run inside the workspace and may drive the engine and the app
  // (a whole run through `ungreedy`): they do not ship. Deep paths stay forbidden there too.
  {
    files: ['packages/strategy-*/**/*.test.ts', 'packages/dataset-*/**/*.test.ts', 'packages/*/src/**/test-fixtures/**/*.ts', 'packages/strategy-*/scripts/**/*.ts', 'packages/dataset-*/scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^@ungreedy/core/(?!(testing|engine|app)$).+',
          message: 'Import @ungreedy/core, @ungreedy/core/testing, /engine or /app, never a path inside the package.',
        }],
      }],
    },
  },
  // Core's layers (README, "The contract"): app -> engine -> contract, and the kit (testing) -> engine -> contract;
  // engine -> backend (@ungreedy/backend, the kernels and the native addon), which imports nothing from core.
  // An import that points up a layer fails lint. Tests and fixtures may use the kit.
  {
    files: ['packages/backend/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^@ungreedy/|^(\\.\\./)+core/',
          message: 'The backend package is the bottom layer: it imports TensorFlow.js and Node only, never @ungreedy/core (the engine imports the backend).',
        }],
      }],
    },
  },
  {
    files: ['packages/core/src/contract/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(\\.\\./)+(engine|app|testing)(/|$)|^@ungreedy/core/|^@ungreedy/backend(/|$)',
          message: 'The contract layer imports nothing from the engine, the app, the kit or the backend package: move the shared piece into src/contract.',
        }],
      }],
    },
  },
  {
    files: ['packages/core/src/engine/**/*.ts'],
    ignores: ['**/*.test.ts', '**/fixtures/**', '**/test-fixtures/**', 'packages/core/src/engine/model/testing/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: '^(\\.\\./)+(app|testing)(/|$)|^@ungreedy/core/',
          message: 'The engine imports only the contract and itself, never the app (cli, compare, report) or the kit.',
        }],
      }],
    },
  },
  {
    files: ['packages/core/src/app/**/*.ts'],
    ignores: ['**/test-fixtures/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^@ungreedy/backend(/|$)', message: 'The app reaches the kernels through the engine (@ungreedy/core/engine), never @ungreedy/backend directly.' }],
      }],
    },
  },
  {
    files: ['packages/core/src/testing/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+app(/|$)', message: 'The conformance kit builds on the engine and the contract, never the app.' }],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
