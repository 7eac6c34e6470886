import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Redis } from 'ioredis';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { DocumentStore } from '../core/redis/document-store';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { assertKnownParams, Page, paginate, parsePage } from '../domain/filters';
import { evaluateRule, GateConfig, gateDecision, gateErrors, GateEvaluation, GateRecord, latestPassingBaseline, RuleOutcome } from '../domain/gates';
import { JobRecord } from '../domain/types';
import { ComparisonService } from '../evaluations/comparison.service';
import { EvaluationsService } from '../evaluations/evaluations.service';
import { JobsRepository } from '../evaluations/jobs.repository';
import { GateConfigDto } from './dto/gate.dto';

/** Release gates of a tenant: stored rule sets, and their evaluation on a job (domain/gates). */
@Injectable()
export class GatesService {
  private readonly store: DocumentStore<GateRecord>;

  constructor(
    @Inject(REDIS) redis: Redis,
    keys: RedisKeys,
    private readonly evaluations: EvaluationsService,
    private readonly jobs: JobsRepository,
    private readonly comparisons: ComparisonService,
  ) {
    this.store = new DocumentStore<GateRecord>(redis, keys, 'gate');
  }

  async get(id: string, caller: RequestContext): Promise<GateRecord> {
    const gate = await this.store.get(id);
    if (!gate || gate.resource.tenant !== caller.tenant) throw ApiError.notFound('gate', id);
    return gate;
  }

  async list(query: Record<string, string | string[] | undefined>, uri: string, caller: RequestContext): Promise<Page<GateRecord>> {
    assertKnownParams(query, ['limit', 'offset']);
    const page = parsePage(query);
    const all = (await this.store.getMany(await this.store.ids(caller.tenant))).filter((g) => g.resource.tenant === caller.tenant);
    return paginate(all, page, uri);
  }

  async create(body: GateConfigDto, caller: RequestContext): Promise<GateRecord> {
    const config = checked(body);
    const now = new Date().toISOString();
    const gate: GateRecord = { ...config, resource: { id: randomUUID(), tenant: caller.tenant, owner: caller.user ?? caller.tenant ?? 'local', created_at: now, updated_at: now } };
    await this.store.put(gate);
    return gate;
  }

  async replace(id: string, body: GateConfigDto, caller: RequestContext): Promise<GateRecord> {
    const config = checked(body);
    const cur = await this.get(id, caller);
    const gate: GateRecord = { ...config, resource: { ...cur.resource, updated_at: new Date().toISOString() } };
    if (!(await this.store.update(id, () => gate))) throw ApiError.notFound('gate', id);
    return gate;
  }

  async delete(id: string, caller: RequestContext): Promise<void> {
    await this.store.delete(await this.get(id, caller));
  }

  async evaluate(jobId: string, gateId: string, caller: RequestContext): Promise<GateEvaluation> {
    const job = await this.evaluations.get(jobId, caller);
    const gate = await this.get(gateId, caller);
    let tenantJobs: JobRecord[] | undefined;
    const outcomes: RuleOutcome[] = [];
    for (const rule of gate.rules) {
      if (rule.max_regression === undefined) {
        outcomes.push(evaluateRule(rule, job));
        continue;
      }
      let baseline: JobRecord | undefined;
      if (rule.baseline_job_id) baseline = await this.evaluations.get(rule.baseline_job_id, caller).catch(() => undefined);
      else {
        tenantJobs ??= await this.jobs.getMany(await this.jobs.ids(caller.tenant));
        baseline = latestPassingBaseline(job, tenantJobs.filter((j) => j.resource.tenant === caller.tenant));
      }
      const comparison = baseline && rule.benchmark ? (await this.comparisons.compareRecords(baseline, [job]))[0] : undefined;
      outcomes.push(evaluateRule(rule, job, baseline, comparison));
    }
    return {
      gate: { id: gate.resource.id, name: gate.name },
      job: { id: job.resource.id, name: job.config.name, model: job.config.model.name },
      decision: gateDecision(outcomes),
      rules: outcomes,
    };
  }
}

function checked(body: GateConfigDto): GateConfig {
  const config = JSON.parse(JSON.stringify(body)) as GateConfig;
  const errors = gateErrors(config);
  if (errors.length) throw ApiError.validation(errors.join('; '));
  return config;
}
