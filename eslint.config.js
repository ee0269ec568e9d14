// Lint: typescript-eslint's recommended rules, type-aware where a rule needs the types (switch
// exhaustiveness over the kind unions, floating promises). assembly/ is AssemblyScript (v128,
// decorators on functions): asc checks it, and assembly/tsconfig.json serves editors.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'build/',
      'site/',
      'node_modules/',
      'assembly/',
      'test-artifacts/',
      'scratch/',
      '**/*.generated.ts',
      'examples/web/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      // `cond && call()` and `a ? f() : g()` as statements are this code base's idiom.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    ignores: ['*.config.ts', 'examples/web/vite.config.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Tests and benchmarks drive untyped peers (brain.js, synaptic, convnetjs) and hostile inputs.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
