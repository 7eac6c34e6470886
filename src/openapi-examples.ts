import type { OpenAPIObject } from '@nestjs/swagger';

// Request examples for the API document: real provider and benchmark ids, a model URL, parameters
// the backend accepts, so "Try it out" in the Swagger UI sends something the API takes. The first
// example of an operation is what Swagger UI fills in.

type Examples = Record<string, { summary: string; value: unknown }>;

const MODEL = { url: 'http://127.0.0.1:8000/v1', name: 'my-model' };

const EXAMPLES: Record<string, Examples> = {
  'POST /api/v1/evaluations/jobs': {
    benchmarks: {
      summary: 'Benchmarks by id',
      value: { name: 'arc-easy smoke test', model: MODEL, benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 20 } }] },
    },
    collection: { summary: 'A collection', value: { name: 'reasoning check', model: MODEL, collection: { id: 'leaderboard-v2' } } },
    risk: { summary: 'A risk category', value: { name: 'release gate', model: MODEL, risk_category: 'low', experiment: { name: 'my-model-release' } } },
  },
  'POST /api/v1/evaluations/jobs/{id}/events': {
    running: {
      summary: 'A benchmark is running',
      value: { benchmark_status_event: { provider_id: 'lm_evaluation_harness', id: 'arc_easy', benchmark_index: 0, status: 'running', phase: 'running_evaluation' } },
    },
    completed: {
      summary: 'A benchmark completed',
      value: { benchmark_status_event: { provider_id: 'lm_evaluation_harness', id: 'arc_easy', benchmark_index: 0, status: 'completed', metrics: { acc: 0.71, acc_norm: 0.69 } } },
    },
  },
  'POST /api/v1/evaluations/providers': {
    tasks: {
      summary: 'Your own lm-eval tasks',
      value: {
        name: 'My tasks',
        title: 'My lm-eval tasks',
        description: 'Task YAML files in a folder the worker can read',
        benchmarks: [{ id: 'my_task', name: 'My task', category: 'knowledge', primary_score: { metric: 'exact_match' }, pass_criteria: { threshold: 0.5 } }],
        runtime: { local: { executor: 'lm_evaluation_harness', include_path: '/srv/evalhub/tasks' } },
      },
    },
  },
  'POST /api/v1/evaluations/collections': {
    mine: {
      summary: 'A weighted collection',
      value: {
        name: 'My reasoning suite',
        category: 'reasoning',
        description: 'Two lm-eval benchmarks, the first counting double',
        benchmarks: [
          { id: 'arc_easy', provider_id: 'lm_evaluation_harness', weight: 2, parameters: { num_examples: 100 } },
          { id: 'hellaswag', provider_id: 'lm_evaluation_harness', weight: 1, parameters: { num_examples: 100 } },
        ],
        pass_criteria: { threshold: 0.5 },
      },
    },
  },
};

const PATCH_EXAMPLE: Examples = { rename: { summary: 'Change the description', value: [{ op: 'replace', path: '/description', value: 'Updated description' }] } };

/** Adds the examples to the request bodies of the operations above (and every PATCH). */
export function withRequestExamples(doc: OpenAPIObject): OpenAPIObject {
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const method of ['post', 'put', 'patch'] as const) {
      const op = item[method];
      const body = op?.requestBody;
      if (!body || !('content' in body)) continue;
      // A replace (PUT …/{id}) takes the same body as the create.
      const examples = method === 'patch' ? PATCH_EXAMPLE : method === 'put' ? EXAMPLES[`POST ${route.replace(/\/\{id\}$/, '')}`] : EXAMPLES[`POST ${route}`];
      if (!examples) continue;
      for (const media of Object.values(body.content)) media.examples = examples;
    }
  }
  return doc;
}
