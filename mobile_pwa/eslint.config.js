// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, and
// eslint-plugin-vue's for the single-file components. Layout is Prettier's business
// (eslint-config-prettier switches off the rules that would argue with it).
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import prettier from 'eslint-config-prettier'
import vue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    // Generated: schema.d.ts by `make types`, components.d.ts by unplugin-vue-components.
    ignores: ['dist/', 'dev-dist/', 'e2e/artifacts/', 'src/api/schema.d.ts', 'src/components.d.ts'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    rules: {
      // A leading underscore names what is deliberately left unused (a destructured field).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Run by Node: the build's config, the tests' servers and fixtures, the icon script.
    files: ['*.config.ts', '*.config.js', 'scripts/**', 'e2e/**', 'tests/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  prettier,
)
