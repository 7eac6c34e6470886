import { DefaultCallbacks } from '../sdk/adapter';
import { UnitEvent } from '../executors/executor.interface';

/** The fields of a status event that POST /events takes (statistics are EvalHub's own executors'). */
const EVENT_FIELDS = [
  'status',
  'phase',
  'progress',
  'completed_count',
  'total_count',
  'count_unit',
  'eta_seconds',
  'error_message',
  'warning_message',
  'started_at',
  'completed_at',
  'metrics',
  'metrics_schema',
  'additional_info',
  'artifacts',
  'mlflow_run_id',
  'logs_path',
] as const;

/** Sends an executor's events to EvalHub as an adapter does, through the SDK's callbacks (retries included). */
export class CallbackReporter {
  constructor(private readonly callbacks: DefaultCallbacks) {}

  report(event: UnitEvent): Promise<void> {
    const body: Record<string, unknown> = {};
    for (const k of EVENT_FIELDS) if (event[k] !== undefined) body[k] = event[k];
    return this.callbacks.postEvent(body);
  }
}
