// Lint rules that guard the layout (docs/architecture.md, "What the linters enforce").
// Syntax-only typescript-eslint (no type information) keeps `npm run lint` to a few seconds. Import cycles
// (type-only imports included) are checked by dpdm in `npm run lint:cycles`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Provider names (Kong's `model.provider` values, 3.10 and 3.14): only src/gateway/providers/ may spell them. */
const PROVIDER_NAMES = [
  'openai', 'anthropic', 'azure', 'gemini', 'bedrock', 'cohere', 'mistral', 'llama2', 'huggingface',
  'deepseek', 'xai', 'vllm', 'ollama', 'cerebras', 'dashscope', 'databricks',
];
const NAME_RE = `/^(${PROVIDER_NAMES.join('|')})$/`;
const providerNames = {
  'no-restricted-syntax': ['error',
    { selector: `Literal[value=${NAME_RE}]`, message: 'Provider names belong in src/gateway/providers/: use a capability flag or the provider registry.' },
    { selector: `TemplateElement[value.raw=${NAME_RE}]`, message: 'Provider names belong in src/gateway/providers/: use a capability flag or the provider registry.' },
  ],
};

/** `no-restricted-imports` patterns for one folder: what it may not import (relative specifiers, as written). */
const forbid = (files, regex, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/config/generated/**', 'schemas/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    // Tests read untyped JSON replies along deep paths (`body.data[0].routes[0].name`); src/ may not.
    files: ['test/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    rules: providerNames,
  },
  {
    // Where provider names are the subject: the providers themselves, the mock LLM (a fake upstream per
    // provider), and the client formats (formats are named after the wire format they speak).
    files: ['src/gateway/providers/**', 'src/mock/providers/**', 'src/gateway/llm/formats/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // The import floors (docs/architecture.md): each floor imports only the floors below it.
  forbid(['src/gateway/llm/wire/**'], '^\\.\\./', 'llm/wire is the bottom floor: it imports nothing of aigw outside itself.'),
  forbid(['src/gateway/providers/**'], '^\\.\\./(?!llm/wire/|\\.\\./config/generated/)', 'providers are pure translators: they import llm/wire (and generated config types) only.'),
  forbid(['src/gateway/llm/formats/**'], '^\\.\\./(?!wire/|\\.\\./(context|plugin|log-record)\\.js$)', 'client formats import llm/wire and the gateway context only (not providers, the call or plugins).'),
  forbid(['src/gateway/llm/call/**'], '(^|/)(plugins|formats|admin-api)/', 'the LLM call imports wire, providers and the gateway core, never plugins or client formats.'),
  forbid(['src/kong/**'], '^\\.\\./(commands|gateway|cli)/', 'src/kong is a library: it imports neither commands, the CLI nor the gateway server.'),
);
