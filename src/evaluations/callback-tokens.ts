import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'crypto';
import type { Redis } from 'ioredis';
import { KeyReadBatch } from '../core/redis/key-read-batch';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { CallbackBinding } from '../domain/callback-binding';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Per-run callback credentials in Redis, keyed by the token's hash so a dump of Redis gives no
 * usable token. A token lives as long as its run (plus the TTL as a backstop if a worker dies).
 */
@Injectable()
export class CallbackTokens {
  /** Every adapter event resolves its token: those of one turn of the event loop go as one MGET. */
  private readonly reads: KeyReadBatch;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.reads = new KeyReadBatch(redis);
  }

  async issue(binding: CallbackBinding, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.keys.callbackToken(hash(token)), JSON.stringify(binding), 'EX', Math.max(60, Math.ceil(ttlSeconds)));
    return token;
  }

  async resolve(token: string | undefined): Promise<CallbackBinding | undefined> {
    if (!token || token.length > 200) return undefined;
    const raw = await this.reads.get(this.keys.callbackToken(hash(token)));
    return raw ? (JSON.parse(raw) as CallbackBinding) : undefined;
  }

  async revoke(token: string): Promise<void> {
    await this.redis.del(this.keys.callbackToken(hash(token)));
  }
}
