import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { decodeSource, encodeSource, ReuseSource, reuseFingerprint } from '../domain/result-reuse';
import { BenchmarkResult, JobRecord } from '../domain/types';
import { JobEventsBus } from './job-events.bus';
import { JobsRepository } from './jobs.repository';

/**
 * Remembers, per tenant, where each completed benchmark's result is (by its fingerprint), and
 * finds an equal one young enough to take over. A result that was itself reused is not recorded
 * again: the original stays the source.
 */
@Injectable()
export class ResultReuseService implements OnModuleInit {
  constructor(
    private readonly bus: JobEventsBus,
    private readonly jobs: JobsRepository,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  onModuleInit(): void {
    this.bus.on(async ({ before, after, index }) => {
      if (index === undefined) return;
      const was = before.status.benchmarks.find((b) => b.benchmark_index === index)?.status;
      const now = after.status.benchmarks.find((b) => b.benchmark_index === index);
      if (was === 'completed' || now?.status !== 'completed') return;
      const result = after.results.benchmarks?.find((r) => r.benchmark_index === index);
      if (!result || (result.additional_info as { reused_from?: unknown } | undefined)?.reused_from) return;
      const source: ReuseSource = { job_id: after.resource.id, benchmark_index: index, completed_at: now.completed_at ?? new Date().toISOString() };
      await this.redis.hset(this.keys.reuseIndex(after.resource.tenant), reuseFingerprint(after, index), encodeSource(source));
    });
  }

  /** An equal completed result of the tenant, young enough, that still exists. */
  async find(job: JobRecord, index: number): Promise<{ source: ReuseSource; result: BenchmarkResult } | undefined> {
    const source = decodeSource(await this.redis.hget(this.keys.reuseIndex(job.resource.tenant), reuseFingerprint(job, index)));
    if (!source || source.job_id === job.resource.id) return undefined;
    if (Date.now() - Date.parse(source.completed_at) > this.cfg.reuse.maxAgeHours * 3600_000) return undefined;
    const from = await this.jobs.get(source.job_id);
    if (!from || from.resource.tenant !== job.resource.tenant) return undefined;
    const result = from.results.benchmarks?.find((r) => r.benchmark_index === source.benchmark_index);
    return result ? { source, result } : undefined;
  }
}
