import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { MlflowExperiments } from '../mlflow/experiment-tracker.service';

/**
 * Shows whether MLflow answers. Informational: an MLflow outage never makes EvalHub unready,
 * because tracking is queued and catches up (so this indicator is always "up").
 */
@Injectable()
export class MlflowHealthIndicator {
  constructor(
    private readonly experiments: MlflowExperiments,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key = 'mlflow') {
    const i = this.indicator.check(key);
    if (!this.experiments.client) return i.up({ configured: false });
    return i.up({ configured: true, reachable: await this.experiments.client.health(), url: this.experiments.client.baseUrl });
  }
}
