import { setTimeout as delay } from 'timers/promises';
import type { JobSpec } from './job-spec';
import { OCIArtifactPersister, OCIArtifactResult, OCIArtifactSpec, Persister } from './oci/persister';
import type { AdapterSettings } from './settings';
import type { JobResults, JobStatusUpdate } from './types';

/** What an adapter calls while it runs. */
export interface JobCallbacks {
  reportStatus(update: JobStatusUpdate): Promise<void>;
  reportResults(results: JobResults): Promise<void>;
  createOciArtifact(spec: OCIArtifactSpec): Promise<OCIArtifactResult>;
}

export class CallbackError extends Error {}

const ATTEMPTS = 6;

/**
 * Posts to the callback URL the JobSpec gives (`{callback_url}/api/v1/evaluations/jobs/{id}/events`,
 * through the sidecar in Kubernetes). Locally the URL carries the run's callback credential, so
 * an adapter needs no token. Connection failures and 5xx answers are tried again with backoff (the
 * service may be restarting); a 4xx is final.
 */
export class DefaultCallbacks implements JobCallbacks {
  private readonly persister: Persister;

  constructor(
    private readonly spec: JobSpec,
    private readonly settings?: AdapterSettings,
    persister?: Persister,
    private readonly log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  ) {
    this.persister = persister ?? new OCIArtifactPersister({ authConfigPath: settings?.ociAuthConfigPath, insecure: settings?.ociInsecure });
  }

  reportStatus(u: JobStatusUpdate): Promise<void> {
    const failure = u.error ?? (u.status === 'failed' ? u.message : undefined);
    return this.postEvent({
      status: u.status === 'cancelled' ? 'failed' : u.status,
      ...(u.phase ? { phase: u.phase } : {}),
      ...(failure ? { error_message: { message: failure.message, message_code: failure.messageCode, message_origin: 'adapter' } } : {}),
      ...(u.progress !== undefined ? { progress: Math.max(0, Math.min(1, u.progress)) } : {}),
      ...(u.completedSteps !== undefined ? { completed_count: u.completedSteps } : {}),
      ...(u.totalSteps !== undefined ? { total_count: u.totalSteps } : {}),
    });
  }

  reportResults(r: JobResults): Promise<void> {
    const metrics: Record<string, unknown> = {};
    for (const x of r.results) metrics[x.metricName] = x.metricValue;
    const artifacts: Record<string, unknown> = { ...((r.evaluationMetadata?.artifacts as Record<string, unknown> | undefined) ?? {}) };
    if (r.ociArtifact) {
      artifacts.oci_reference = r.ociArtifact.reference;
      artifacts.oci_digest = r.ociArtifact.digest;
    }
    return this.postEvent({
      status: 'completed',
      metrics,
      completed_at: (r.completedAt ?? new Date()).toISOString(),
      ...(Object.keys(artifacts).length ? { artifacts } : {}),
      ...(r.mlflowRunId ? { mlflow_run_id: r.mlflowRunId } : {}),
      additional_info: {
        duration_seconds: r.durationSeconds,
        ...(r.numExamplesEvaluated !== undefined ? { num_examples_evaluated: r.numExamplesEvaluated } : {}),
        ...(r.overallScore !== undefined ? { overall_score: r.overallScore } : {}),
        ...r.additionalInfo,
      },
    });
  }

  createOciArtifact(spec: OCIArtifactSpec): Promise<OCIArtifactResult> {
    return this.persister.persist(spec);
  }

  /** Posts one status event (the /events body's fields, snake_case) with the retry rules. */
  async postEvent(event: Record<string, unknown>): Promise<void> {
    const url = `${this.spec.callbackUrl.replace(/\/+$/, '')}/api/v1/evaluations/jobs/${encodeURIComponent(this.spec.id)}/events`;
    const body = JSON.stringify({ benchmark_status_event: { provider_id: this.spec.providerId, id: this.spec.benchmarkId, benchmark_index: this.spec.benchmarkIndex, ...event } });
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.settings?.tenant) headers['X-Tenant'] = this.settings.tenant;
    if (this.settings?.token) headers.Authorization = `Bearer ${this.settings.token}`;
    for (let attempt = 1; ; attempt++) {
      let why: string;
      try {
        const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
        if (res.ok) return;
        const text = (await res.text()).slice(0, 300);
        if (res.status < 500) throw new CallbackError(`EvalHub refused the ${String(event.status)} event (${res.status}): ${text}`);
        why = `HTTP ${res.status}: ${text}`;
      } catch (e) {
        if (e instanceof CallbackError) throw e;
        why = (e as Error).message;
      }
      if (attempt >= ATTEMPTS) throw new CallbackError(`could not post the ${String(event.status)} event to EvalHub after ${ATTEMPTS} attempts: ${why}`);
      this.log(`[adapter] posting the ${String(event.status)} event failed (${why}); trying again`);
      await delay(Math.min(16_000, 500 * 2 ** attempt));
    }
  }
}
