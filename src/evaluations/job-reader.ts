import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../core/http/request-context';
import { isTerminalJobState } from '../domain/job-state';
import { JobRecord } from '../domain/types';
import { EvaluationsService } from './evaluations.service';
import { EXPERIMENT_TRACKER, ExperimentTracker } from './experiment-tracker';
import { toJobResource } from './job-resource';

/**
 * Queue places and the start estimate are hints that move as workers take units: one computed
 * less than this ago serves again. A place costs Redis a lookup per unit and the API a round
 * trip, so a job polled by many clients would otherwise cost that per poll. A benchmark that has
 * started shows as started whatever its kept place: the job itself is read fresh every time.
 */
const HINT_TTL_MS = 1000;
const PLACES_KEPT = 10_000;

/** A job as the API shows it: the resource, with queue places while it waits and run links. */
@Injectable()
export class JobReader {
  private readonly places = new Map<string, { at: number; places: Map<number, number> }>();
  private eta?: { at: number; fn: ((place: number) => number) | undefined };

  constructor(
    private readonly evaluations: EvaluationsService,
    @Inject(EXPERIMENT_TRACKER) private readonly tracker: ExperimentTracker,
  ) {}

  /** One job, for GET /jobs/{id} (404 for another tenant's). */
  async read(id: string, caller: RequestContext): Promise<Record<string, unknown>> {
    const job = await this.evaluations.get(id, caller);
    if (isTerminalJobState(job.status.state)) return this.view(job);
    // Both reads go to Redis in one round trip (auto-pipelining) when they are not fresh here.
    const [places, eta] = await Promise.all([this.queuePlaces(job), this.queueEta()]);
    return this.view(job, places, places.size ? eta : undefined);
  }

  private async queuePlaces(job: JobRecord): Promise<Map<number, number>> {
    const now = Date.now();
    const kept = this.places.get(job.resource.id);
    if (kept && now - kept.at < HINT_TTL_MS) return kept.places;
    const places = await this.evaluations.queuePlaces(job);
    this.places.delete(job.resource.id);
    this.places.set(job.resource.id, { at: now, places });
    // Oldest first (insertion order): expired ones go, so only the last second's reads stay kept.
    for (const [id, p] of this.places) {
      if (this.places.size <= PLACES_KEPT && now - p.at < HINT_TTL_MS) break;
      this.places.delete(id);
    }
    return places;
  }

  private async queueEta(): Promise<((place: number) => number) | undefined> {
    const now = Date.now();
    if (this.eta && now - this.eta.at < HINT_TTL_MS) return this.eta.fn;
    const fn = await this.evaluations.queueEta();
    this.eta = { at: now, fn };
    return fn;
  }

  view(job: JobRecord, queuePlaces?: Map<number, number>, queueEta?: (place: number) => number): Record<string, unknown> {
    return toJobResource(job, { queuePlaces, queueEta, runUrl: this.tracker.enabled ? (e, r) => this.tracker.runUrl(e, r) : undefined });
  }
}
