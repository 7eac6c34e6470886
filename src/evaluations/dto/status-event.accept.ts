import { isIn, isInt, isISO8601, isNumber, isObject, isString } from 'class-validator';
import { EVENT_STATES, JOB_PHASES } from '../../domain/types';
import { BenchmarkStatusEventDto, StatusEventDto } from './status-event.dto';

/**
 * Adapters' events of the everyday shape, taken without the validation pipe. The pipe
 * (class-transformer, then class-validator over the DTO's metadata) is a sixth of the events
 * route's time; most events are a status, a phase, progress counts or final metrics. A body is
 * taken here only when every field is one of those listed below and passes the same class-validator
 * check the DTO declares for it; anything else (another field, a nested message, a null, a key
 * class-transformer skips) returns undefined, and the pipe decides and words any refusal. What is
 * returned equals what the pipe returns for the same body (checked in the spec against the pipe).
 */
export function acceptStatusEvent(body: unknown): StatusEventDto | undefined {
  if (!isPlainObject(body)) return undefined;
  let event: BenchmarkStatusEventDto | undefined;
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key === 'benchmark_status_event') event = acceptBenchmarkEvent(value);
    else if (key !== 'job_meta' || !isCopyableObject(value)) return undefined;
  }
  return event && Object.assign(new StatusEventDto(), body, { benchmark_status_event: event });
}

const COUNT_UNITS = ['samples', 'requests', 'probes', 'rows'];
const count = (v: unknown) => isInt(v) && (v as number) >= 0;
const name = (v: unknown) => isString(v) && v.length > 0;

/** The fields taken here, each with the DTO's checks for it (a field present is never null). */
const FIELD_CHECKS = new Map<string, (v: unknown) => boolean>(
  Object.entries({
    provider_id: name,
    id: name,
    benchmark_index: count,
    status: (v) => isIn(v, EVENT_STATES as unknown as string[]),
    phase: (v) => isIn(v, JOB_PHASES as unknown as string[]),
    progress: (v) => isNumber(v, { allowNaN: false, allowInfinity: false }) && (v as number) >= 0 && (v as number) <= 1,
    completed_count: count,
    total_count: count,
    count_unit: (v) => isIn(v, COUNT_UNITS),
    eta_seconds: count,
    started_at: (v) => isISO8601(v, { strict: true }),
    completed_at: (v) => isISO8601(v, { strict: true }),
    metrics: isCopyableObject,
    additional_info: isCopyableObject,
    artifacts: isCopyableObject,
    mlflow_run_id: isString,
    logs_path: isString,
  }),
);
const REQUIRED = ['provider_id', 'id', 'status'];

function acceptBenchmarkEvent(value: unknown): BenchmarkStatusEventDto | undefined {
  if (!isPlainObject(value)) return undefined;
  for (const key of Object.keys(value)) {
    const check = FIELD_CHECKS.get(key);
    if (!check || !check(value[key])) return undefined;
  }
  for (const key of REQUIRED) if (!Object.hasOwn(value, key)) return undefined;
  return Object.assign(new BenchmarkStatusEventDto(), value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return isObject(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * An object field (IsObject) whose content class-transformer copies as it is: JSON values only, no
 * key it skips (`__proto__`, `constructor`). The pipe hands on such a copy; here the parsed object
 * itself goes on, equal to it.
 */
function isCopyableObject(v: unknown): boolean {
  return isPlainObject(v) && copiesAsIs(v, 0);
}

function copiesAsIs(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (depth > 32) return false;
  if (Array.isArray(v)) return v.every((x) => copiesAsIs(x, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const key of Object.keys(v)) {
    if (key === '__proto__' || key === 'constructor' || !copiesAsIs((v as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}
