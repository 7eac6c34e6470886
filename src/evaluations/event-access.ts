import { Injectable } from '@nestjs/common';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { atLeast } from '../domain/access';
import { checkCallback } from '../domain/callback-binding';
import { CallbackTokens } from './callback-tokens';
import { JobsRepository } from './jobs.repository';

/**
 * Who may post a benchmark event: the holder of that benchmark run's callback token, or an
 * authenticated caller allowed to write the job's tenant. Anything else changes nothing; a token
 * of another job and a job of another tenant answer exactly as an unknown job does.
 */
@Injectable()
export class EventAccess {
  constructor(
    private readonly tokens: CallbackTokens,
    private readonly jobs: JobsRepository,
  ) {}

  async check(jobId: string, index: number, token: string | undefined, caller: RequestContext): Promise<void> {
    if (token) {
      const binding = await this.tokens.resolve(token);
      if (!binding) throw new ApiError('callback_token_invalid', 'The callback token is not valid: unknown, or its run has ended.');
      const check = checkCallback(binding, jobId, index);
      if (check === 'other_job') throw ApiError.notFound('evaluation job', jobId);
      if (check === 'other_benchmark') throw new ApiError('forbidden', `This callback token may not report benchmark index ${index}.`);
      return;
    }
    if (caller.authenticated && atLeast(caller.role, 'submitter')) {
      const job = await this.jobs.get(jobId);
      if (!job || (caller.tenant !== undefined && job.resource.tenant !== caller.tenant)) throw ApiError.notFound('evaluation job', jobId);
      return;
    }
    throw new ApiError(
      'unauthorized',
      "Reporting events needs the benchmark run's callback token (the callback_url of its JobSpec carries it) or an authenticated caller.",
    );
  }
}
