/** Every metric the service exports; the Grafana dashboard in deploy/ queries these names. */
export const METRIC = {
  httpRequests: 'evalhub_http_requests_total',
  httpDuration: 'evalhub_http_request_duration_seconds',
  jobsSubmitted: 'evalhub_jobs_submitted_total',
  jobsFinished: 'evalhub_jobs_finished_total',
  runDuration: 'evalhub_benchmark_run_duration_seconds',
  queueJobs: 'evalhub_queue_jobs',
  queueWorkers: 'evalhub_queue_workers',
  runningProcesses: 'evalhub_running_processes',
  callbackEvents: 'evalhub_callback_events_total',
  mlflowFailures: 'evalhub_mlflow_write_failures_total',
  // The worker's model gateway: what evaluations asked of the models.
  modelRequests: 'evalhub_model_requests_total',
  modelTokens: 'evalhub_model_tokens_total',
  modelRetries: 'evalhub_model_retries_total',
  // OpenTelemetry HTTP semantic-convention series, named as upstream's OTel Prometheus exporter
  // names them (dots to underscores, unit and _total suffixes), for dashboards built on upstream.
  otelRequestDuration: 'http_server_request_duration_seconds',
  otelRequestCount: 'http_server_request_count_total',
  otelActiveRequests: 'http_server_active_requests',
} as const;
