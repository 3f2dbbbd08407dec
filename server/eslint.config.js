// ESLint for the JavaScript the server ships: every package's static/ scripts (the
// dashboard's, the labs page's and the docs page's), loaded from the Jinja templates.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/**'] },
  js.configs.recommended,
  {
    files: ['*/static/**/*.js'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        ...globals.browser,
        // The extension messaging API Chromium gives pages named in the extension's
        // externally_connectable (link.js checks it is there before using it).
        chrome: 'readonly',
      },
    },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
];
