import { Inject, Injectable } from '@nestjs/common';
import type * as K8s from '@kubernetes/client-node';

/** The object types the Kubernetes executor reads, so that only this folder imports the library. */
export type { V1Job, V1Pod } from '@kubernetes/client-node';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';

/** An API server error, reduced to what callers decide on. */
export class K8sError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export type WatchEvent<T> = { type: string; object: T };

/**
 * The only file that loads @kubernetes/client-node at run time (it is ESM-only; Node 20.19+ can
 * require it, jest cannot). Loaded on first use, so local mode never pays for it.
 */
@Injectable()
export class K8sGateway {
  private lib?: typeof K8s;
  private kc?: K8s.KubeConfig;
  private batch?: K8s.BatchV1Api;
  private core?: K8s.CoreV1Api;
  private custom?: K8s.CustomObjectsApi;

  constructor(@Inject(APP_CONFIG) private readonly cfg: AppConfig) {}

  private client(): { batch: K8s.BatchV1Api; core: K8s.CoreV1Api; custom: K8s.CustomObjectsApi; kc: K8s.KubeConfig; lib: typeof K8s } {
    if (!this.lib) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: the library is large and a local runtime never needs it
      this.lib = require('@kubernetes/client-node') as typeof K8s;
      this.kc = new this.lib.KubeConfig();
      this.kc.loadFromDefault();
      this.batch = this.kc.makeApiClient(this.lib.BatchV1Api);
      this.core = this.kc.makeApiClient(this.lib.CoreV1Api);
      this.custom = this.kc.makeApiClient(this.lib.CustomObjectsApi);
    }
    return { batch: this.batch!, core: this.core!, custom: this.custom!, kc: this.kc!, lib: this.lib };
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as { code?: number; body?: unknown; message?: string };
      let body: { message?: string; reason?: string } = {};
      try {
        body = typeof err.body === 'string' ? JSON.parse(err.body) : ((err.body as typeof body) ?? {});
      } catch {
        /* not JSON */
      }
      throw new K8sError(`${what}: ${body.message ?? err.message ?? String(e)}`, err.code ?? 0, body.reason);
    }
  }

  /** Creates, or returns 'existed' on 409 (a retried worker adopts what it made before). */
  private async createOrAdopt(what: string, create: () => Promise<unknown>): Promise<'created' | 'existed'> {
    try {
      await this.call(what, create);
      return 'created';
    } catch (e) {
      if (e instanceof K8sError && e.code === 409) return 'existed';
      throw e;
    }
  }

  createConfigMap(ns: string, body: K8s.V1ConfigMap): Promise<'created' | 'existed'> {
    return this.createOrAdopt(`create ConfigMap ${body.metadata?.name}`, () => this.client().core.createNamespacedConfigMap({ namespace: ns, body }));
  }

  createJob(ns: string, body: K8s.V1Job): Promise<'created' | 'existed'> {
    return this.createOrAdopt(`create Job ${body.metadata?.name}`, () => this.client().batch.createNamespacedJob({ namespace: ns, body }));
  }

  async listPods(ns: string, labelSelector: string): Promise<{ items: K8s.V1Pod[]; resourceVersion?: string }> {
    const r = await this.call('list pods', () => this.client().core.listNamespacedPod({ namespace: ns, labelSelector }));
    return { items: r.items, resourceVersion: r.metadata?.resourceVersion };
  }

  async listJobs(ns: string, labelSelector: string): Promise<{ items: K8s.V1Job[]; resourceVersion?: string }> {
    const r = await this.call('list jobs', () => this.client().batch.listNamespacedJob({ namespace: ns, labelSelector }));
    return { items: r.items, resourceVersion: r.metadata?.resourceVersion };
  }

  /** Watches a collection from a resourceVersion; resolves to a function that stops the watch. */
  async watch<T>(path: string, labelSelector: string, resourceVersion: string | undefined, onEvent: (e: WatchEvent<T>) => void, onEnd: (err?: unknown) => void): Promise<() => void> {
    const { lib, kc } = this.client();
    const w = new lib.Watch(kc);
    const ctrl = await w.watch(path, { labelSelector, ...(resourceVersion ? { resourceVersion, allowWatchBookmarks: true } : {}) }, (type, object) => onEvent({ type, object: object as T }), onEnd);
    return () => ctrl.abort();
  }

  /** Removes every Job (with its pods) and ConfigMap that carries the selector. */
  async deleteBySelector(ns: string, labelSelector: string): Promise<void> {
    const { batch, core } = this.client();
    await this.call('delete jobs', () => batch.deleteCollectionNamespacedJob({ namespace: ns, labelSelector, propagationPolicy: 'Background' })).catch((e) => {
      if (!(e instanceof K8sError && e.code === 404)) throw e;
    });
    await this.call('delete configmaps', () => core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector })).catch((e) => {
      if (!(e instanceof K8sError && e.code === 404)) throw e;
    });
  }

  async podLog(ns: string, pod: string, container: string, opts: { tailLines?: number; sinceSeconds?: number; timestamps?: boolean }): Promise<string> {
    return this.call(`log of ${pod}`, () =>
      this.client().core.readNamespacedPodLog({ namespace: ns, name: pod, container, tailLines: opts.tailLines, sinceSeconds: opts.sinceSeconds, timestamps: opts.timestamps }),
    );
  }

  /** A HardwareProfile (infrastructure.opendatahub.io/v1), or undefined when there is none of that name. */
  async getHardwareProfile(ns: string, name: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.call(`get HardwareProfile ${name}`, () =>
        this.client().custom.getNamespacedCustomObject({ group: 'infrastructure.opendatahub.io', version: 'v1', namespace: ns, plural: 'hardwareprofiles', name }),
      )) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof K8sError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Who a bearer token belongs to (authentication.k8s.io/v1 TokenReview). */
  async tokenReview(token: string): Promise<{ authenticated: boolean; user: string; groups: string[] }> {
    const { lib, kc } = this.client();
    const api = kc.makeApiClient(lib.AuthenticationV1Api);
    const r = await this.call('TokenReview', () => api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } }));
    return { authenticated: r.status?.authenticated === true, user: r.status?.user?.username ?? '', groups: r.status?.user?.groups ?? [] };
  }

  /** Whether a user may do a verb on a resource in a namespace (authorization.k8s.io/v1 SubjectAccessReview). */
  async subjectAccessReview(q: { user: string; groups: string[]; namespace?: string; verb: string; group: string; resource: string }): Promise<boolean> {
    const { lib, kc } = this.client();
    const api = kc.makeApiClient(lib.AuthorizationV1Api);
    const r = await this.call('SubjectAccessReview', () =>
      api.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: { user: q.user, groups: q.groups, resourceAttributes: { namespace: q.namespace, verb: q.verb, group: q.group, resource: q.resource } },
        },
      }),
    );
    return r.status?.allowed === true;
  }

  namespaceFor(tenant: string | undefined): string {
    return tenant ?? this.cfg.k8s.namespace;
  }
}
