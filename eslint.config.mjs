// Lint: typescript-eslint's recommended rules plus the layering of ARCHITECTURE.md ("Layers"),
// enforced on resolved paths by import-x/no-restricted-paths. Not type-aware, to stay fast.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const src = './src';
/** Zone fields for "everything under src/ except these folders". */
const allBut = (...keep) => ({ from: src, except: keep.map((k) => `./${k}`) });
/** The executor folders under src/executors/, one per backend. */
const BACKEND_FOLDERS = ['local-process', 'lm-eval', 'guidellm', 'garak', 'lighteval', 'ragas', 'nemo-evaluator', 'kubeflow-pipelines', 'kubernetes', 'unavailable'];
/** The browser dashboard (bundled by scripts/build-dashboard.js); it runs in the page, not in Node. */
const DASHBOARD_APP = 'src/dashboard/app';
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'window', 'document', 'navigator', 'location', 'history', 'localStorage', 'sessionStorage', 'console', 'fetch', 'Request', 'Response', 'Headers',
    'URL', 'URLSearchParams', 'AbortController', 'AbortSignal', 'Blob', 'File', 'FormData', 'TextDecoder', 'TextEncoder', 'TextDecoderStream',
    'ReadableStream', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'cancelAnimationFrame',
    'addEventListener', 'removeEventListener', 'getComputedStyle', 'confirm', 'alert', 'Event', 'CustomEvent', 'HTMLElement', 'HTMLCanvasElement',
  ].map((g) => [g, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'python/**', '.data/**', 'bench/**', 'scripts/**', 'test/fixtures/**'] },
  js.configs.recommended,
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Tests and JSON shapes read loosely typed bodies; src keeps it as a warning-free error below.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/domain', ...allBut('domain'), message: 'domain/ is plain functions: it imports nothing else from src/.' },
            { target: './src/core', ...allBut('core', 'domain'), message: 'core/ imports only domain/.' },
            {
              target: './src/executors',
              ...allBut('executors', 'core', 'domain', 'kubernetes'),
              message: 'executors see only the executor interface, core/ and domain/ (and the Kubernetes executor src/kubernetes/).',
            },
            { target: BACKEND_FOLDERS.filter((f) => f !== 'kubernetes').map((f) => `./src/executors/${f}`), from: './src/kubernetes', message: 'only the Kubernetes executor uses src/kubernetes/.' },
            // One folder per backend, each on its own: shared code goes to executors/ itself.
            ...BACKEND_FOLDERS.map((f) => ({
              target: `./src/executors/${f}`,
              from: BACKEND_FOLDERS.filter((o) => o !== f).map((o) => `./src/executors/${o}`),
              message: 'a backend folder imports no other backend: put shared code in src/executors/ (e.g. backend-run.ts).',
            })),
            { target: './src/gateway', ...allBut('gateway', 'core', 'domain'), message: 'the model gateway is a worker part: it imports only core/ and domain/.' },
            { target: './src/sdk', ...allBut('sdk'), message: 'the SDK (evalhub/models, /client, /adapter) ships to users: it imports nothing of the service.' },
            { target: ['./src/cli', './src/mcp'], ...allBut('cli', 'mcp', 'sdk'), message: 'the CLI and the MCP server are API clients: they use the SDK, nothing of the service.' },
            { target: './src/adapter', ...allBut('adapter', 'executors', 'core', 'domain', 'sdk'), message: 'the adapter runs one backend from a JobSpec and reaches EvalHub only over HTTP: the SDK, executors, core/ and domain/ only.' },
            { target: './src/dashboard', ...allBut('dashboard'), message: 'dashboard/ serves a static bundle: it imports nothing else from src/.' },
            { target: './src/kubernetes', ...allBut('kubernetes', 'core', 'domain'), message: 'kubernetes/ is a runtime adapter: it imports only core/ and domain/.' },
            { target: ['./src/evaluations', './src/providers', './src/collections', './src/common', './src/queue', './src/gates'], from: ['./src/kubernetes', './src/executors', './src/worker', './src/mlflow', './src/metrics'], message: 'the job and catalog code is runtime-agnostic: reach a runtime through core/runtime/job-runtime, listeners through the job bus.' },
          ],
        },
      ],
      'no-restricted-imports': ['error', { paths: [{ name: '@kubernetes/client-node', message: 'only src/kubernetes/ imports @kubernetes/client-node.' }] }],
    },
  },
  {
    // The app is browser code: browser globals, no Node ones, and nothing from the server but the
    // types generated from its OpenAPI document (api-types.ts, inside the app folder).
    files: [`${DASHBOARD_APP}/**/*.ts`, `${DASHBOARD_APP}/**/*.tsx`],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.json'] })] },
    languageOptions: { globals: BROWSER_GLOBALS },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-restricted-paths': [
        'error',
        { zones: [{ target: `./${DASHBOARD_APP}`, from: src, except: ['./dashboard/app'], message: 'the dashboard app imports no server code: only its own files, its npm packages and the generated api-types.ts.' }] },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', '@nestjs/*', '@kubernetes/*', 'ioredis', 'bullmq', 'fastify', 'class-validator', 'class-transformer'], message: 'browser code: no Node built-ins or server packages.' }] },
      ],
      'no-restricted-globals': ['error', ...['process', 'require', 'module', '__dirname', '__filename', 'Buffer', 'global'].map((name) => ({ name, message: 'browser code: Node globals do not exist in the page.' }))],
    },
  },
  { files: ['src/kubernetes/**/*.ts'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['src/domain/**/*.ts'], ignores: ['**/*.spec.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@nestjs/*', 'ioredis', 'bullmq'], message: 'domain/ has no Nest and no Redis.' }] }] } },
);
