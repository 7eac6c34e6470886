import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { logContext } from '../logging/log-context';

/** Runs each handler inside a log scope that carries the request id (and job id when routed). */
@Injectable()
export class LogContextInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest<{ Params: Record<string, string> }>>();
    const fields = { request_id: String(req.id), ...(req.params?.id && req.url.includes('/jobs/') ? { job_id: req.params.id } : {}) };
    return new Observable((subscriber) => logContext.run(fields, () => next.handle().subscribe(subscriber)));
  }
}
