import { backfillMetricsSchema } from '../domain/job-state';
import { JobRecord } from '../domain/types';

/** The evaluation card (evalhub-api-v1 §6): what was evaluated, how, and the outcome. */
export function evaluationCard(job: JobRecord): Record<string, unknown> {
  const statusByIndex = new Map(job.status.benchmarks.map((b) => [b.benchmark_index, b]));
  return {
    card_version: '1.0',
    schema_version: '1.0',
    metadata: { evaluation_job_id: job.resource.id, created_at: job.resource.created_at, updated_at: job.resource.updated_at },
    context: {
      model: { url: job.config.model.url, name: job.config.model.name, model_card_url: job.config.model.card_url },
      ...(job.config.collection ? { collection_id: job.config.collection.id } : { benchmarks: job.benchmarks.map(({ id, provider_id, parameters }) => ({ id, provider_id, parameters })) }),
    },
    results: {
      status: { state: job.status.state, message: job.status.message },
      benchmarks: job.benchmarks.map((b, i) => {
        const r = (job.results.benchmarks ?? []).find((x) => x.benchmark_index === i);
        const s = statusByIndex.get(i);
        return {
          id: b.id,
          provider_id: b.provider_id,
          status: s?.status,
          error_message: s?.error_message,
          warning_message: s?.warning_message,
          ...(r ? backfillMetricsSchema(r) : {}),
        };
      }),
      ...(job.results.test ? { collection: { test: job.results.test } } : {}),
    },
  };
}
