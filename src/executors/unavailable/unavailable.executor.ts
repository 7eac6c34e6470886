import { Injectable } from '@nestjs/common';
import { Executor, RunContext, RunOutcome } from '../executor.interface';

/** For providers with no runtime this deployment can use: fail the benchmarks with a clear reason. */
@Injectable()
export class UnavailableExecutor implements Executor {
  readonly kind = 'unavailable' as const;

  async run(ctx: RunContext): Promise<RunOutcome> {
    const runtime = ctx.cfg.runtime;
    const providerId = ctx.job.benchmarks[ctx.indexes[0]].provider_id;
    const message = !ctx.provider
      ? `The provider '${providerId}' no longer exists, so its benchmarks cannot run.`
      : runtime === 'kubernetes'
        ? `The provider '${ctx.provider?.resource.id}' has no Kubernetes runtime (runtime.k8s).`
        : `The provider '${ctx.provider?.resource.id ?? 'unknown'}' has no local runtime: set runtime.local.command (an adapter) or runtime.local.executor.`;
    for (const index of ctx.indexes) {
      ctx.logs.line(`[evalhub] ${message}`);
      await ctx.report(index, {
        status: 'failed',
        error_message: { message, message_code: 'local_runtime_not_enabled', message_origin: 'server' },
      });
    }
    return { exitCode: 0, signal: null };
  }
}
