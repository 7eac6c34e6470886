import { createHash } from 'crypto';
import { ProviderAvailability } from '../domain/provider-availability';
import { ProviderRecord } from '../domain/types';

/** How many providers' answers are kept (system ones plus the tenants' most read). */
const MAX_KEPT = 500;

/**
 * The JSON answer of GET /providers/{id}, serialised once per version of the provider and of its
 * availability: the largest system provider is some hundred kilobytes, and both change rarely. The
 * ETag lets a client that has it get a 304 without the body.
 */
export class ProviderBodies {
  private readonly kept = new Map<string, { version: string; body: string; etag: string }>();

  of(provider: ProviderRecord, availability: ProviderAvailability): { body: string; etag: string } {
    const version = `${provider.resource.updated_at ?? provider.resource.created_at}|${availability.runnable}|${availability.executor ?? ''}|${availability.reason ?? ''}`;
    const id = provider.resource.id;
    const hit = this.kept.get(id);
    if (hit?.version === version) return hit;
    const body = JSON.stringify({ ...provider, availability });
    const entry = { version, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    this.kept.delete(id);
    this.kept.set(id, entry);
    // Map order is insertion order: the first key is the least recently refreshed.
    if (this.kept.size > MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
    return entry;
  }
}
