import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DocumentStore } from '../core/redis/document-store';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { JobRecord } from '../domain/types';

/** Evaluation jobs in Redis: one JSON document per job plus creation-ordered indexes. */
@Injectable()
export class JobsRepository extends DocumentStore<JobRecord> {
  constructor(@Inject(REDIS) redis: Redis, keys: RedisKeys) {
    super(redis, keys, 'job');
  }
}
