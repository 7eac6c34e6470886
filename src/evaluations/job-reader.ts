import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../core/http/request-context';
import { isTerminalJobState } from '../domain/job-state';
import { JobRecord } from '../domain/types';
import { EvaluationsService } from './evaluations.service';
import { EXPERIMENT_TRACKER, ExperimentTracker } from './experiment-tracker';
import { toJobResource } from './job-resource';

/** A job as the API shows it: the resource, with queue places while it waits and run links. */
@Injectable()
export class JobReader {
  constructor(
    private readonly evaluations: EvaluationsService,
    @Inject(EXPERIMENT_TRACKER) private readonly tracker: ExperimentTracker,
  ) {}

  /** One job, for GET /jobs/{id} (404 for another tenant's). */
  async read(id: string, caller: RequestContext): Promise<Record<string, unknown>> {
    const job = await this.evaluations.get(id, caller);
    if (isTerminalJobState(job.status.state)) return this.view(job);
    // Both reads go to Redis in one round trip (auto-pipelining).
    const [places, eta] = await Promise.all([this.evaluations.queuePlaces(job), this.evaluations.queueEta()]);
    return this.view(job, places, places.size ? eta : undefined);
  }

  view(job: JobRecord, queuePlaces?: Map<number, number>, queueEta?: (place: number) => number): Record<string, unknown> {
    return toJobResource(job, { queuePlaces, queueEta, runUrl: this.tracker.enabled ? (e, r) => this.tracker.runUrl(e, r) : undefined });
  }
}
