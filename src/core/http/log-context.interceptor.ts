import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, tap } from 'rxjs';
import { logContext } from '../logging/log-context';

/** Runs each handler inside a log scope that carries the request id (and job id when routed). */
@Injectable()
export class LogContextInterceptor implements NestInterceptor {
  private readonly logger = new Logger('HTTP');

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest<{ Params: Record<string, string> }>>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const fields = { request_id: String(req.id), ...(req.params?.id && req.url.includes('/jobs/') ? { job_id: req.params.id } : {}) };
    const started = Date.now();
    return new Observable((subscriber) =>
      logContext.run(fields, () =>
        next
          .handle()
          .pipe(tap({ next: () => this.logger.debug(`${req.method} ${req.url} -> ${reply.statusCode} in ${Date.now() - started} ms`) }))
          .subscribe(subscriber),
      ),
    );
  }
}
