import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@app/*/src/*', '**/libs/*/src/*'], message: 'Import a library through its entry point (@app/x).' }] },
      ],
    },
  },
  {
    files: ['tools/**/*.ts', 'test/**/*.ts', '**/testing/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
