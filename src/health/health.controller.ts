import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { MlflowHealthIndicator } from './mlflow.health';
import { RedisHealthIndicator } from './redis.health';

export class HealthDto {
  /** Always "healthy" when the process answers. */
  status: string;
  /** Server time, RFC 3339. */
  timestamp: string;
}

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly mlflow: MlflowHealthIndicator,
  ) {}

  @Get('api/v1/health')
  @ApiOperation({ summary: 'Service health (EvalHub v1 contract)' })
  @ApiResponse({ status: 200, type: HealthDto })
  contractHealth(): HealthDto {
    return { status: 'healthy', timestamp: new Date().toISOString() };
  }

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers (does not depend on Redis)' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: Redis reachable; MLflow state reported when configured' })
  @HealthCheck()
  ready() {
    return this.health.check([() => this.redis.check(), () => this.mlflow.check()]);
  }
}
