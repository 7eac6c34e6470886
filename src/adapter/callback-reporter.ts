import { setTimeout as delay } from 'timers/promises';
import { JobSpec } from '../domain/job-spec';
import { BenchmarkStatusEvent } from '../domain/types';
import { UnitEvent } from '../executors/executor.interface';

/** The fields of a status event that POST /events takes (the rest is EvalHub's own executors'). */
const EVENT_FIELDS = ['status', 'phase', 'error_message', 'warning_message', 'started_at', 'completed_at', 'metrics', 'metrics_schema', 'additional_info', 'artifacts', 'mlflow_run_id', 'logs_path'] as const;
const ATTEMPTS = 6;

export class CallbackError extends Error {}

/**
 * Posts an adapter's events to the callback URL of its JobSpec, as the SDKs do
 * (`{callback_url}/api/v1/evaluations/jobs/{id}/events`). Connection failures and 5xx answers are
 * tried again with backoff (the API may be restarting); a 4xx is final.
 */
export class CallbackReporter {
  constructor(
    private readonly spec: JobSpec,
    private readonly log: (line: string) => void,
  ) {}

  async report(event: UnitEvent): Promise<void> {
    const body: Partial<BenchmarkStatusEvent> = { provider_id: this.spec.provider_id, id: this.spec.benchmark_id, benchmark_index: this.spec.benchmark_index };
    for (const k of EVENT_FIELDS) if (event[k] !== undefined) (body as Record<string, unknown>)[k] = event[k];
    const url = `${this.spec.callback_url.replace(/\/+$/, '')}/api/v1/evaluations/jobs/${encodeURIComponent(this.spec.id)}/events`;
    for (let attempt = 1; ; attempt++) {
      let why: string;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ benchmark_status_event: body }), signal: AbortSignal.timeout(30_000) });
        if (res.ok) return;
        const text = (await res.text()).slice(0, 300);
        if (res.status < 500) throw new CallbackError(`EvalHub refused the ${event.status} event (${res.status}): ${text}`);
        why = `HTTP ${res.status}: ${text}`;
      } catch (e) {
        if (e instanceof CallbackError) throw e;
        why = (e as Error).message;
      }
      if (attempt >= ATTEMPTS) throw new CallbackError(`could not post the ${event.status} event to EvalHub after ${ATTEMPTS} attempts: ${why}`);
      this.log(`[adapter] posting the ${event.status} event failed (${why}); trying again`);
      await delay(Math.min(16_000, 500 * 2 ** attempt));
    }
  }
}
