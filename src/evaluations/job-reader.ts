import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../core/http/request-context';
import { contentHash } from '../core/redis/document-store';
import { isTerminalJobState } from '../domain/job-state';
import { JobRecord } from '../domain/types';
import { assertJobVisible, EvaluationsService } from './evaluations.service';
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
/**
 * Rendered bodies kept (their stored documents too, to know them still current): ~8 MB at most,
 * for the jobs polled in the last second.
 */
const SHOWN_KEPT_CHARS = 8_000_000;
/**
 * A kept document is read in full again at least this often even while its content hash is
 * unchanged: a writer of an older version changes a document without its hash, and its change
 * then shows within this time.
 */
const FULL_READ_EVERY_MS = 1000;

/** A job's body as last rendered, with what it was rendered from. */
interface Shown {
  at: number;
  /** The stored document it was rendered from, its content hash, and when it was last read in full. */
  raw: string;
  hash: string;
  readAt: number;
  tenant?: string;
  terminal: boolean;
  places?: Map<number, number>;
  eta?: (place: number) => number;
  json: string;
}

/** A job as the API shows it: the resource, with queue places while it waits and run links. */
@Injectable()
export class JobReader {
  private readonly places = new Map<string, { at: number; places: Map<number, number> }>();
  private eta?: { at: number; fn: ((place: number) => number) | undefined };
  private readonly shown = new Map<string, Shown>();
  private shownChars = 0;

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

  /**
   * The same read as JSON text, for the route clients poll: a job whose stored document, queue
   * places and start estimate are those of its body rendered less than a second ago gets that
   * body again, without parsing or rendering (the tenant check still runs on every read). While
   * the document's content hash is the kept one, only the hash is read from Redis: 40 bytes
   * instead of the whole document.
   */
  async readJson(id: string, caller: RequestContext): Promise<string> {
    const now = Date.now();
    const kept = this.shown.get(id);
    const unchanged = !!kept && now - kept.readAt < FULL_READ_EVERY_MS && (await this.evaluations.storedHash(id)) === kept.hash;
    const raw = unchanged ? kept.raw : await this.evaluations.stored(id);
    const same = raw !== null && kept?.raw === raw ? kept : undefined;
    if (same) {
      assertJobVisible(id, same, caller);
      if (same.terminal || this.sameHints(id, same, now)) return same.json;
    }
    const job = this.evaluations.visible(id, raw, caller);
    const terminal = isTerminalJobState(job.status.state);
    const [places, eta] = terminal ? [undefined, undefined] : await Promise.all([this.queuePlaces(job), this.queueEta()]);
    // Hints looked up again are often what they were: the body rendered with them still holds.
    const json = same && same.places === places && same.eta === eta ? same.json : JSON.stringify(this.view(job, places, places?.size ? eta : undefined));
    const hash = same ? same.hash : contentHash(raw!);
    this.keepShown(id, { at: now, raw: raw!, hash, readAt: unchanged ? kept.readAt : now, tenant: job.resource.tenant, terminal, places, eta, json });
    return json;
  }

  /** Whether the hints a body was rendered with are still the ones kept, both under a second old. */
  private sameHints(id: string, shown: Shown, now: number): boolean {
    const places = this.places.get(id);
    const eta = this.eta;
    return !!places && !!eta && places.places === shown.places && eta.fn === shown.eta && now - places.at < HINT_TTL_MS && now - eta.at < HINT_TTL_MS;
  }

  private keepShown(id: string, entry: Shown): void {
    const old = this.shown.get(id);
    if (old) this.shownChars -= old.raw.length + old.json.length;
    this.shown.delete(id);
    this.shown.set(id, entry);
    this.shownChars += entry.raw.length + entry.json.length;
    for (const [oldest, o] of this.shown) {
      if (this.shownChars <= SHOWN_KEPT_CHARS && entry.at - o.at < HINT_TTL_MS) break;
      this.shown.delete(oldest);
      this.shownChars -= o.raw.length + o.json.length;
    }
  }

  private async queuePlaces(job: JobRecord): Promise<Map<number, number>> {
    const now = Date.now();
    const kept = this.places.get(job.resource.id);
    if (kept && now - kept.at < HINT_TTL_MS) return kept.places;
    const found = await this.evaluations.queuePlaces(job);
    // The same places keep the same map, so a body rendered with them is known to hold.
    const places = kept && samePlaces(kept.places, found) ? kept.places : found;
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

function samePlaces(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [index, place] of a) if (b.get(index) !== place) return false;
  return true;
}
