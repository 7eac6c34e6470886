import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { K8sGateway, V1Job, V1Pod, WatchEvent } from './k8s-gateway';

/** Every benchmark Job EvalHub makes, and its pods, carry these labels (job-manifest.ts). */
export const BENCHMARK_SELECTOR = 'app=evalhub,component=evaluation-job';
/** A relist of the whole namespace now and then, in case a watch missed something without ending. */
const RESYNC_MS = 30_000;
/** After a watch ends or a list fails, the next attempt waits this long. */
const RETRY_MS = 1_000;

/** What one benchmark sees of the shared cache. */
export interface BenchmarkView {
  /** The first list of the namespace has arrived; before that, an empty view means nothing. */
  readonly synced: boolean;
  pods(): V1Pod[];
  job(): V1Job | undefined;
  stop(): void;
}

interface Subscriber {
  jobId: string;
  index: number;
  onChange: () => void;
}

/**
 * One list-then-watch of EvalHub's benchmark pods and Jobs per namespace, shared by every
 * benchmark running there: N running benchmarks cost two watches, not N relists every few
 * seconds. It starts with the first subscriber of a namespace and stops with the last. A watch
 * that ends (the API server closes them after minutes, or the connection drops) is followed by a
 * relist and a new watch from that list's resourceVersion, so nothing between is lost.
 */
class NamespaceCache {
  readonly pods = new Map<string, V1Pod>();
  readonly jobs = new Map<string, V1Job>();
  readonly subscribers = new Set<Subscriber>();
  synced = false;
  private stops: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private closed = false;
  private generation = 0;

  constructor(
    private readonly k8s: K8sGateway,
    private readonly ns: string,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void this.resync();
    this.timer = setInterval(() => void this.resync(), RESYNC_MS);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.stopWatches();
  }

  private notify(): void {
    for (const s of this.subscribers) s.onChange();
  }

  private stopWatches(): void {
    this.stops.forEach((s) => s());
    this.stops = [];
  }

  /** The truth after any gap: list both kinds, then watch from there. */
  private async resync(): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    try {
      const [pods, jobs] = await Promise.all([this.k8s.listPods(this.ns, BENCHMARK_SELECTOR), this.k8s.listJobs(this.ns, BENCHMARK_SELECTOR)]);
      if (this.closed || generation !== this.generation) return;
      replace(this.pods, pods.items);
      replace(this.jobs, jobs.items);
      this.synced = true;
      this.notify();
      this.stopWatches();
      const onEnd = () => this.again(generation);
      this.stops.push(await this.k8s.watch<V1Pod>(`/api/v1/namespaces/${this.ns}/pods`, BENCHMARK_SELECTOR, pods.resourceVersion, (e) => this.apply(this.pods, e), onEnd));
      this.stops.push(await this.k8s.watch<V1Job>(`/apis/batch/v1/namespaces/${this.ns}/jobs`, BENCHMARK_SELECTOR, jobs.resourceVersion, (e) => this.apply(this.jobs, e), onEnd));
      if (this.closed) this.stopWatches();
    } catch (e) {
      this.logger.warn(`watching benchmark pods in ${this.ns} failed (${(e as Error).message}); retrying in ${RETRY_MS / 1000} s`);
      this.again(generation);
    }
  }

  /** A watch ended or a list failed: start over once, unless a newer resync already did. */
  private again(generation: number): void {
    if (this.closed || generation !== this.generation) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.resync(), RETRY_MS);
  }

  private apply<T extends V1Pod | V1Job>(cache: Map<string, T>, { type, object }: WatchEvent<T>): void {
    const name = object.metadata?.name;
    if (!name || type === 'BOOKMARK' || type === 'ERROR') return;
    if (type === 'DELETED') cache.delete(name);
    else cache.set(name, object);
    this.notify();
  }
}

function replace<T extends V1Pod | V1Job>(cache: Map<string, T>, items: T[]): void {
  cache.clear();
  for (const o of items) if (o.metadata?.name) cache.set(o.metadata.name, o);
}

function labelsOf(o: V1Pod | V1Job): Record<string, string> {
  return o.metadata?.labels ?? {};
}

@Injectable()
export class BenchmarkInformer implements OnModuleDestroy {
  private readonly logger = new Logger(BenchmarkInformer.name);
  private readonly caches = new Map<string, NamespaceCache>();

  constructor(private readonly k8s: K8sGateway) {}

  /**
   * Follows one benchmark's pods and its Job (by name) in a namespace; `onChange` runs after any
   * change to the namespace's benchmark objects and after every resync. `jobLabel` is the job id
   * as it appears in labels.
   */
  watch(ns: string, jobLabel: string, index: number, jobName: string, onChange: () => void): BenchmarkView {
    let cache = this.caches.get(ns);
    if (!cache) {
      cache = new NamespaceCache(this.k8s, ns, this.logger);
      this.caches.set(ns, cache);
      cache.start();
    }
    const sub: Subscriber = { jobId: jobLabel, index, onChange };
    cache.subscribers.add(sub);
    const c = cache;
    return {
      get synced() {
        return c.synced;
      },
      pods: () => [...c.pods.values()].filter((p) => labelsOf(p).job_id === jobLabel && labelsOf(p).benchmark_index === String(index)),
      job: () => c.jobs.get(jobName),
      stop: () => {
        c.subscribers.delete(sub);
        if (c.subscribers.size === 0 && this.caches.get(ns) === c) {
          c.close();
          this.caches.delete(ns);
        }
      },
    };
  }

  /** Namespaces watched now (for tests and the log). */
  namespaces(): string[] {
    return [...this.caches.keys()];
  }

  onModuleDestroy(): void {
    for (const c of this.caches.values()) c.close();
    this.caches.clear();
  }
}
