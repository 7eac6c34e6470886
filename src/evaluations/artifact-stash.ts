import { Inject, Injectable, Logger } from '@nestjs/common';
import * as fs from 'fs';
import type { Redis } from 'ioredis';
import * as path from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { jobFile } from '../core/files/job-files';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';

/** Larger files stay on the worker's disk only (MLflow gets them if the same worker syncs). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_STORED_BYTES = 16 * 1024 * 1024;
const KEEP_SECONDS = 14 * 24 * 3600;
/** All files of one job together: past it, the rest stays on the worker's disk only (Redis is shared with the queues). */
const MAX_JOB_STORED_BYTES = 128 * 1024 * 1024;
const TOTAL_FIELD = 'bytes:total';

/**
 * A copy in Redis, compressed, of the files a benchmark produced (results, samples, reports, run
 * log), kept until the job is recorded in MLflow (or for two weeks without MLflow). Workers scale
 * horizontally and MLflow may be down: the worker that records the job, and the API replica that
 * serves a download, are often not on the machine whose disk has the files.
 */
@Injectable()
export class ArtifactStash {
  private readonly logger = new Logger(ArtifactStash.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  private field(index: number, file: string): string {
    return `${index}/${path.basename(file)}`;
  }

  /** Copies the files that exist and fit; returns how many were kept. */
  async keep(jobId: string, index: number, files: string[]): Promise<number> {
    const key = this.keys.artifacts(jobId);
    let kept = 0;
    for (const file of new Set(files)) {
      try {
        // Only the job's own files, whatever a result names (symlinks resolved).
        const real = jobFile(this.cfg.dataDir, jobId, file);
        if (!real) continue;
        const st = fs.statSync(real);
        if (st.size > MAX_FILE_BYTES) continue;
        const packed = gzipSync(fs.readFileSync(real));
        if (packed.length > MAX_STORED_BYTES) continue;
        const total = Number((await this.redis.hget(key, TOTAL_FIELD)) ?? 0);
        if (total + packed.length > MAX_JOB_STORED_BYTES) {
          this.logger.warn(`job ${jobId}: ${path.basename(file)} not kept in Redis (the job's files there would pass ${MAX_JOB_STORED_BYTES} bytes); it stays on this worker's disk`);
          continue;
        }
        const field = this.field(index, file);
        await this.redis.multi().hset(key, field, packed, `size:${field}`, String(st.size)).hincrby(key, TOTAL_FIELD, packed.length).exec();
        kept++;
      } catch (e) {
        this.logger.warn(`could not keep ${file}: ${(e as Error).message}`);
      }
    }
    if (kept) await this.redis.expire(key, KEEP_SECONDS);
    return kept;
  }

  /** Sizes of the given files of a benchmark that the stash holds (by file name). */
  async sizes(jobId: string, index: number, names: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (names.length === 0) return out;
    const sizes = await this.redis.hmget(this.keys.artifacts(jobId), ...names.map((n) => `size:${this.field(index, n)}`));
    names.forEach((n, i) => {
      if (sizes[i] !== null) out.set(n, Number(sizes[i]));
    });
    return out;
  }

  async read(jobId: string, index: number, file: string): Promise<Buffer | undefined> {
    const packed = await this.redis.hgetBuffer(this.keys.artifacts(jobId), this.field(index, file));
    return packed ? gunzipSync(packed) : undefined;
  }

  async drop(jobId: string): Promise<void> {
    await this.redis.del(this.keys.artifacts(jobId));
  }
}
