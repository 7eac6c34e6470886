// One job, live: progress per benchmark, log tail, then results, charts, files and links.
import { useEffect, useState } from 'preact/hooks';
import { API, ApiError, api, downloadFile } from '../api/client';
import { openStream } from '../api/sse';
import { isTerminal, type Job, type JobSnapshot, type LogLine } from '../api/types';
import { GarakChart } from '../charts/garak-chart';
import { LatencyCharts } from '../charts/latency-charts';
import { ScoresChart } from '../charts/scores-chart';
import { Artifacts } from '../components/artifacts';
import { BenchmarkProgress } from '../components/benchmark-progress';
import { ErrorBanner } from '../components/error-banner';
import { LogTail } from '../components/log-tail';
import { ProgressBar } from '../components/progress-bar';
import { ResultsTable } from '../components/results-table';
import { GatePanel } from '../components/gate-panel';
import { PassBadge, StateBadge, VerdictBadge } from '../components/state-badge';
import { fmtInterval, fmtNumber, fmtTime } from '../lib/format';
import { rerunRequest } from '../lib/job-request';
import { asInterval, garakProbes, guidellmStrategies, primaryScores } from '../lib/metrics';
import { jobPercent } from '../lib/progress';
import { useLoad } from '../lib/use-load';
import { href, navigate } from '../router';

/** Lines kept in the tail; the full logs are a link away. */
const MAX_LINES = 400;
const LOG_POLL_MS = 3000;

function applySnapshot(job: Job, s: JobSnapshot): Job {
  // The stream replays a job from its first state: snapshots older than what is shown are skipped,
  // so opening a running job does not rewind its bars.
  const shown = job.resource.updated_at;
  if (s.updated_at && shown && Date.parse(s.updated_at) < Date.parse(shown)) return job;
  return {
    ...job,
    resource: { ...job.resource, updated_at: s.updated_at ?? job.resource.updated_at },
    status: { ...job.status, state: s.state, message: s.message, benchmarks: s.benchmarks, percent: s.percent ?? job.status.percent },
    results: s.results ?? job.results,
  };
}

export function JobPage({ id }: { id: string }) {
  const job = useLoad((signal) => api.getJob(id, signal), [id]);
  const [lines, setLines] = useState<string[]>([]);
  const [live, setLive] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const loaded = job.data !== undefined;
  const terminal = isTerminal(job.data?.status.state);

  // Follow the job while it runs: status snapshots, then the result; log lines ride along when
  // the API offers them (?logs=true), else the log tail is polled.
  useEffect(() => {
    if (!loaded || terminal) return;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let stream: { close(): void } | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const text = await api.jobLogs(id, MAX_LINES);
        if (!stopped) setLines(text.split('\n').filter((l) => l !== ''));
      } catch {
        /* logs are a nicety; the status still streams */
      }
      if (!stopped) pollTimer = setTimeout(poll, LOG_POLL_MS);
    };
    const follow = (withLogs: boolean) => {
      stream = openStream(`${API}/jobs/${encodeURIComponent(id)}/stream${withLogs ? '?logs=true' : ''}`, {
        onConnection: setLive,
        onError: (e) => {
          // An API without the log option refuses the parameter: stream status only, poll logs.
          if (withLogs && e.status === 400) {
            follow(false);
            void poll();
          } else setActionError(e);
        },
        onEvent: (e) => {
          if (e.event === 'log') {
            const l = JSON.parse(e.data) as LogLine;
            setLines((old) => [...old, l.line].slice(-MAX_LINES));
          } else if (e.event === 'status' || e.event === 'result') {
            const snap = JSON.parse(e.data) as JobSnapshot;
            job.set((j) => (j ? applySnapshot(j, snap) : j!));
            if (e.event === 'result') {
              stream?.close();
              setLive(false);
              job.reload(); // the full document (tracking, links) once it is final
            }
          } else if (e.event === 'deleted') {
            stream?.close();
            setActionError(new ApiError(404, 'resource_not_found', 'This job was deleted.'));
          }
        },
      });
    };
    follow(true);
    return () => {
      stopped = true;
      clearTimeout(pollTimer);
      stream?.close();
    };
  }, [id, loaded, terminal]);

  // A finished job: its last log lines once.
  useEffect(() => {
    if (!terminal) return;
    api.jobLogs(id, MAX_LINES).then(
      (text) => setLines(text.split('\n').filter((l) => l !== '')),
      () => undefined,
    );
  }, [id, terminal]);

  if (!job.data) {
    return (
      <section data-testid="job-page">
        <p>
          <a href={href('jobs')}>← Jobs</a>
        </p>
        {job.loading ? <p class="muted">Loading…</p> : <ErrorBanner error={job.error} context="Loading the job" />}
      </section>
    );
  }
  const j = job.data;
  const percent = jobPercent(j.status);
  const results = j.results?.benchmarks ?? [];
  const scores = primaryScores(j);
  const weightedCi = asInterval(j.results?.test?.ci95);

  const act = async (what: 'cancel' | 'delete' | 'rerun') => {
    setActionError(undefined);
    if (what === 'delete' && !confirm(`Delete job "${j.name}" and its results?`)) return;
    setBusy(true);
    try {
      if (what === 'cancel') {
        await api.cancelJob(id);
        job.reload();
      } else if (what === 'delete') {
        await api.deleteJob(id);
        navigate(href('jobs'));
      } else {
        const next = await api.submitJob(rerunRequest(j));
        navigate(href('job', next.resource.id));
      }
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="job-page" data-job-id={j.resource.id} data-state={j.status.state}>
      <p>
        <a href={href('jobs')}>← Jobs</a>
      </p>
      <div class="page-head">
        <h2 data-testid="job-name">{j.name}</h2>
        <StateBadge state={j.status.state} />
        {live ? <span class="live on">live</span> : null}
        <div class="spacer" />
        <button type="button" onClick={() => act('cancel')} disabled={busy || terminal} data-testid="cancel-job">
          Cancel
        </button>
        <button type="button" onClick={() => act('rerun')} disabled={busy} data-testid="rerun-job">
          Re-run
        </button>
        <button type="button" class="danger" onClick={() => act('delete')} disabled={busy} data-testid="delete-job">
          Delete
        </button>
      </div>
      <ErrorBanner error={actionError} />
      <dl class="facts">
        <dt>Id</dt>
        <dd class="mono" data-testid="job-id">{j.resource.id}</dd>
        <dt>Model</dt>
        <dd class="mono">
          {j.model.name} {j.model.url ? <span class="muted">at {j.model.url}</span> : null}
        </dd>
        <dt>Created</dt>
        <dd>{fmtTime(j.resource.created_at)}</dd>
        {j.resource.tenant ? (
          <>
            <dt>Tenant</dt>
            <dd>{j.resource.tenant}</dd>
          </>
        ) : null}
        {j.collection ? (
          <>
            <dt>Collection</dt>
            <dd>{j.collection.id}</dd>
          </>
        ) : null}
        {j.tracking ? (
          <>
            <dt>MLflow</dt>
            <dd>
              {j.tracking.state}
              {j.tracking.last_error ? <span class="muted"> ({j.tracking.last_error})</span> : null}
            </dd>
          </>
        ) : null}
      </dl>
      {j.status.message ? <p class="message" data-testid="job-message">{j.status.message.message}</p> : null}

      <h3>Progress</h3>
      <div class="overall">
        <ProgressBar value={percent / 100} label="overall progress" testid="job-progress" />
      </div>
      <BenchmarkProgress benchmarks={j.status.benchmarks} />

      {results.length ? (
        <>
          <h3>Results</h3>
          {j.results.test ? (
            <p class="score" data-testid="job-score">
              Weighted score <strong>{fmtNumber(j.results.test.score)}</strong>
              {weightedCi ? (
                <span class="muted" data-testid="job-score-ci" title={`95% interval${j.results.test.stderr != null ? `, stderr ${fmtNumber(j.results.test.stderr, 3)}` : ''}`}>
                  {' '}
                  95% {fmtInterval(weightedCi)}
                </span>
              ) : null}{' '}
              against threshold {fmtNumber(j.results.test.threshold)} <PassBadge pass={j.results.test.pass} /> <VerdictBadge verdict={j.results.test.verdict} />
            </p>
          ) : null}
          <div class="chart-grid">
            <ScoresChart scores={scores} />
          </div>
          {results.map((r) => (
            <div key={`c${r.benchmark_index}`}>
              <LatencyCharts strategies={guidellmStrategies(r)} name={r.id} />
              <GarakChart probes={garakProbes(r)} name={r.id} />
            </div>
          ))}
          <ResultsTable results={results} />
          <GatePanel jobId={j.resource.id} />
          <h3>Files and runs</h3>
          <div class="links" data-testid="links">
            {j.results.mlflow_experiment_url ? (
              <a href={j.results.mlflow_experiment_url} target="_blank" rel="noopener" data-testid="mlflow-experiment">
                MLflow experiment
              </a>
            ) : null}
            {results
              .filter((r) => r.mlflow_run_url)
              .map((r) => (
                <a key={`m${r.benchmark_index}`} href={r.mlflow_run_url!} target="_blank" rel="noopener" data-testid="mlflow-run">
                  MLflow run: {r.id}
                </a>
              ))}
          </div>
          {results.map((r) => (
            <Artifacts key={`a${r.benchmark_index}`} jobId={j.resource.id} result={r} />
          ))}
        </>
      ) : null}

      <h3>Logs</h3>
      <LogTail lines={lines} live={live} />
      <p class="small">
        <a
          href={`${API}/jobs/${encodeURIComponent(id)}/logs?tail_lines=-1`}
          onClick={(e) => {
            e.preventDefault();
            downloadFile(`${API}/jobs/${encodeURIComponent(id)}/logs?tail_lines=-1`, `${id}.log`).catch(setActionError);
          }}
          data-testid="full-logs"
        >
          Download the full logs
        </a>
      </p>
    </section>
  );
}
