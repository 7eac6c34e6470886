import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { isAlive, killGroup, processStartTime } from '../executors/process-group';
import { RunUnitJobData } from '../queue/queue.types';

interface Lease {
  host: string;
  pid: number;
  /** The process's start time (/proc), so a pid reused after a restart is never killed. */
  started?: string;
  /** Which run wrote it: a run whose lease was taken over was superseded and reports nothing. */
  owner: string;
}

// Deletes the lease only if it is still the caller's; answers 0 only when another attempt owns
// it (no lease at all: no process was recorded, or it ran out).
const RELEASE_LEASE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 1 end
if cjson.decode(cur).owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

// Takes the lease over in one step and answers what was there, so two attempts starting at once
// cannot both believe they own it.
const TAKE_LEASE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return cur`;

/**
 * The lease of a running unit in Redis: which host and process (with its start time) run it, and
 * which attempt owns it. A unit picked up again after its worker died uses it to stop what that
 * worker left running on this host, and a run whose lease was taken over knows it was superseded.
 */
@Injectable()
export class RunLeases {
  private readonly logger = new Logger(RunLeases.name);

  constructor(
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async record(data: RunUnitJobData, pid: number, owner: string): Promise<void> {
    const lease: Lease = { host: this.cfg.hostname, pid, owner, started: processStartTime(pid) };
    const ttl = Math.ceil(this.cfg.defaultTimeoutMinutes * 60) + 3600;
    await this.redis.set(this.keys.runLease(data.jobId, data.unitKey), JSON.stringify(lease), 'EX', ttl);
  }

  /** Drops this run's lease; false when another attempt had taken it over. */
  async release(data: RunUnitJobData, owner: string): Promise<boolean> {
    const key = this.keys.runLease(data.jobId, data.unitKey);
    try {
      return (await this.redis.eval(RELEASE_LEASE, 1, key, owner)) === 1;
    } catch {
      return true;
    }
  }

  /**
   * A unit picked up again after its worker died may still have that worker's process running on
   * this host; stop it so the benchmark is not run twice at once.
   */
  async stopEarlierAttempt(data: RunUnitJobData, owner: string): Promise<void> {
    const key = this.keys.runLease(data.jobId, data.unitKey);
    // Taken over first, so the earlier run (if its worker lives) knows it was superseded.
    const raw = (await this.redis.eval(TAKE_LEASE, 1, key, JSON.stringify({ host: this.cfg.hostname, pid: 0, owner } satisfies Lease))) as string | null;
    if (!raw) return;
    const lease = JSON.parse(raw) as Lease;
    const sameProcess = lease.started === undefined || processStartTime(lease.pid) === lease.started;
    if (lease.host === this.cfg.hostname && lease.pid > 0 && isAlive(lease.pid) && sameProcess) {
      this.logger.warn(`stopping process group ${lease.pid} left by an earlier attempt`);
      killGroup(lease.pid, 500);
      for (let i = 0; i < 40 && isAlive(lease.pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
  }
}
