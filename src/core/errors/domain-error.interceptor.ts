import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import { DomainError } from '../../domain/errors';
import { ApiError } from './api-error';

/** A domain rule broken inside a request handler answers with the contract's status for its code. */
@Injectable()
export class DomainErrorInterceptor implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((e: unknown) => throwError(() => (e instanceof DomainError ? ApiError.from(e) : e))));
  }
}
