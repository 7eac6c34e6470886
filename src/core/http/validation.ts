import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

function flatten(errors: ValidationError[], parent = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    if (e.constraints) for (const c of Object.values(e.constraints)) out.push(`${path}: ${c}`);
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/**
 * Body validation for every endpoint. Unknown fields are dropped, not rejected (clients such as the
 * SDK send fields the server does not know); failures become 400 request_validation_failed.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ApiError.validation(flatten(errors).join("', '") || 'invalid body'),
  });
}

/** Validates a plain object against a DTO class outside the request pipe (e.g. after a PATCH). */
export function validateBody<T extends object>(cls: new () => T, plain: unknown): T {
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance as object, { whitelist: true, forbidNonWhitelisted: false });
  if (errors.length) throw ApiError.validation(flatten(errors).join("', '"));
  return instance;
}
