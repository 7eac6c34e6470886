"""An adapter written on the official EvalHub SDK (FrameworkAdapter + DefaultCallbacks).

EvalHub's local runtime runs it as a provider's runtime.local.command. What it does is chosen by
the benchmark parameters:
  mode: complete (default) | fail
  metrics: {name: value} reported on completion
  hold_ms: pause after the first status report (lets a test observe the running state)
"""
import json
import os
import sys
import time
from datetime import datetime, timezone

from evalhub.adapter import (
    DefaultCallbacks,
    FrameworkAdapter,
    JobCallbacks,
    JobPhase,
    JobResults,
    JobSpec,
    JobStatusUpdate,
    MessageInfo,
)
from evalhub.models.api import EvaluationResult, JobStatus, MetricSchema, ResultType


class CompatAdapter(FrameworkAdapter):
    def run_benchmark_job(self, config: JobSpec, callbacks: JobCallbacks) -> JobResults:
        started = time.time()
        params = config.parameters or {}
        callbacks.report_status(
            JobStatusUpdate(
                status=JobStatus.RUNNING,
                phase=JobPhase.INITIALIZING,
                warning_message=MessageInfo(message="using a test model", message_code="test_warning"),
            )
        )
        time.sleep(float(params.get("hold_ms", 0)) / 1000)
        callbacks.report_status(JobStatusUpdate(status=JobStatus.RUNNING, phase=JobPhase.RUNNING_EVALUATION))
        if params.get("mode") == "fail":
            raise RuntimeError("the evaluation blew up on purpose")
        metrics = params.get("metrics") or {"acc_norm": 0.66, "label": "x"}
        results = [EvaluationResult(metric_name=k, metric_value=v) for k, v in metrics.items()]
        schema = [MetricSchema(name=k, type=ResultType.CATEGORICAL) for k, v in metrics.items() if isinstance(v, str)]
        callbacks.report_status(JobStatusUpdate(status=JobStatus.RUNNING, phase=JobPhase.POST_PROCESSING))
        return JobResults(
            id=config.id,
            benchmark_id=config.benchmark_id,
            benchmark_index=config.benchmark_index,
            model_name=config.model.name,
            results=results,
            metrics_schema=schema or None,
            num_examples_evaluated=config.num_examples or 10,
            duration_seconds=time.time() - started,
            completed_at=datetime.now(timezone.utc),
            mlflow_run_id="r1",
            additional_info={"k": 1, "spec_num_examples": config.num_examples},
        )


def main() -> int:
    adapter = CompatAdapter()
    callbacks = DefaultCallbacks.from_adapter(adapter)
    spec = adapter.job_spec
    print(f"sdk adapter: job {spec.id} benchmark {spec.benchmark_id} index {spec.benchmark_index}", flush=True)
    # Record what the SDK parsed from our JobSpec so the suite can check it.
    with open(os.environ["EVALHUB_JOB_SPEC_PATH"] + ".parsed.json", "w") as fh:
        fh.write(spec.model_dump_json())
    try:
        results = adapter.run_benchmark_job(spec, callbacks)
        if spec.experiment_name and os.environ.get("MLFLOW_TRACKING_URI"):
            results.mlflow_run_id = callbacks.mlflow.save(results, spec)
        callbacks.report_results(results)
        return 0
    except Exception as exc:  # the canonical adapter flow: report failed, exit 1
        callbacks.report_status(
            JobStatusUpdate(
                status=JobStatus.FAILED,
                error_message=MessageInfo(message=str(exc), message_code="adapter_error"),
            )
        )
        print(f"sdk adapter failed: {exc}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
