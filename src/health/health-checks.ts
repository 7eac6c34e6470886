import { HealthIndicatorResult } from '@nestjs/terminus';

/** Extra readiness checks a process adds (MLflow, worker state); each reports, none is required. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export type ReadinessCheck = () => Promise<HealthIndicatorResult>;
