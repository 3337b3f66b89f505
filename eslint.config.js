// Lint for SMS Desk (flat config; `npm run lint`, a step of `npm test`). Style is prettier's job
// (.prettierrc.json); these rules are the ones a compiler does not enforce: promises nobody waits
// for, switches that silently miss a case, type-only imports, hooks, and which process may import what.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Node's built-in modules, with and without the `node:` prefix, as an import-name regex. */
const nodeBuiltins = `^(node:.*|${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?$`;

/** One `no-restricted-imports` rule from [regex, why] pairs: the message says what to do instead. */
const forbid = (...groups) => ['error', { patterns: groups.map(([regex, message]) => ({ regex, message })) }];

const electronPackage = [
  '^electron(/.*)?$',
  'Only the shell (electron/, outside electron/engine) may import Electron.',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'dist-electron/',
      'dist-node/',
      'release/',
      'test-results/',
      'playwright-report/',
      'tests/e2e/artifacts/',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    rules: {
      // The code strips control characters from file names, URLs and imported text on purpose.
      'no-control-regex': 'off',
      // It flags a defensive start value (`let names = []` before a try that returns on failure) and
      // resets in `finally`; the reads that matter are TypeScript's definite-assignment check.
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['**/*.{ts,tsx,mts}'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['playwright.electron.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // TypeScript itself reports undefined names and unused locals (tsconfig strict, noUnusedLocals).
      'no-undef': 'off',
      'no-unused-vars': 'off',
      'no-redeclare': 'off',
      'no-dupe-class-members': 'off',
      // A promise left alone loses its rejection: `void` marks fire-and-forget, else await or catch.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      // A switch over a union names every member, so adding one makes the compiler point at each switch.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The page runs sandboxed, without Node: it reaches the engine only through shared/ipc.
      'no-restricted-imports': forbid(
        ['(^|/)electron/', 'The renderer talks to the engine through shared/ipc (window.smsdesk), never electron/.'],
        electronPackage,
        [nodeBuiltins, 'The renderer runs in a browser page without Node; move this work to electron/engine.'],
      ),
    },
  },
  {
    // Pure code used by every process: no Node, no Electron, no DOM, no React.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [nodeBuiltins, 'shared/ runs in the page too: pass data in, keep Node APIs in electron/.'],
        electronPackage,
        ['^react(-dom)?(/.*)?$', 'shared/ runs in the engine too: keep React in renderer/.'],
        ['(^|/)(electron|renderer)/', 'shared/ depends on nothing of one process; move the code into shared/.'],
      ),
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'location'].map((name) => ({
          name,
          message: 'shared/ runs in the engine too: take what you need from the DOM as an argument.',
        })),
        ...['process', 'Buffer', 'require', '__dirname', '__filename'].map((name) => ({
          name,
          message: 'shared/ runs in the page too: take what you need from Node as an argument.',
        })),
      ],
    },
  },
  {
    // The engine is plain Node: the CLI, web mode and the tests run it without Electron.
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(electronPackage, [
        '(^|/)renderer/',
        'The engine does not depend on the page; share through shared/.',
      ]),
    },
  },
  {
    files: ['electron/*.ts', 'electron/{handlers,host,web}/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(['(^|/)renderer/', 'The shell does not import the page; share through shared/.']),
    },
  },
);
