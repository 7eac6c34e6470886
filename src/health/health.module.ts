import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MlflowHealthIndicator } from './mlflow.health';
import { RedisHealthIndicator } from './redis.health';

/** /api/v1/health, /health/live and /health/ready, on the API and on the worker's probe port. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, MlflowHealthIndicator],
})
export class HealthModule {}
