import { createHash } from 'crypto';
import { AppConfig } from '../core/config/app-config';
import { Authenticator, Identity, Verb } from '../core/auth/identity';
import { K8sGateway } from './k8s-gateway';

const CACHE_MS = 30_000;

/**
 * Bearer tokens checked the way kube-rbac-proxy checks them: a TokenReview says who the token
 * belongs to, a SubjectAccessReview whether that user may do the verb on the resource in the
 * tenant's namespace (group AUTH_SAR_GROUP, resources evaluationjobs / providers / collections).
 * Answers are cached for 30 s, so a busy client costs two API-server calls per half minute.
 */
export class KubeAuthenticator implements Authenticator {
  private readonly identities = new Map<string, { at: number; identity?: Identity }>();
  /** The groups of each identity the reviews returned, for its SubjectAccessReviews. */
  private readonly groupsOf = new WeakMap<Identity, string[]>();
  private readonly decisions = new Map<string, { at: number; allowed: boolean }>();

  constructor(
    private readonly k8s: K8sGateway,
    private readonly cfg: AppConfig,
  ) {}

  async authenticate(token: string): Promise<Identity | undefined> {
    const key = createHash('sha256').update(token).digest('hex');
    const hit = this.identities.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.identity;
    const review = await this.k8s.tokenReview(token);
    const identity: Identity | undefined = review.authenticated
      ? { user: review.user, tenants: '*', role: review.groups.some((g) => this.cfg.auth.adminGroups.includes(g)) ? 'admin' : 'submitter' }
      : undefined;
    if (identity) this.groupsOf.set(identity, review.groups);
    this.remember(this.identities, key, { at: Date.now(), identity });
    return identity;
  }

  async authorize(identity: Identity, tenant: string | undefined, verb: Verb, resource: string): Promise<boolean> {
    if (identity.role === 'admin') return true;
    const groups = this.groupsOf.get(identity) ?? [];
    const key = `${identity.user}\u0000${tenant ?? ''}\u0000${verb}\u0000${resource}`;
    const hit = this.decisions.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.allowed;
    const allowed = await this.k8s.subjectAccessReview({ user: identity.user, groups, namespace: tenant, verb, group: this.cfg.auth.sarGroup, resource });
    this.remember(this.decisions, key, { at: Date.now(), allowed });
    return allowed;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size > 10_000) map.clear();
    map.set(key, value);
  }
}
