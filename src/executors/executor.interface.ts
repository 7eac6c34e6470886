import { AppConfig } from '../core/config/app-config';
import { ExecutorKind } from '../domain/run-plan';
import { BenchmarkStatusEvent, JobRecord, ProviderRecord } from '../domain/types';
import { LogWriter } from '../core/logs/job-logs';

/** Where a run's output lines go: the worker's LogWriter (file + Redis stream), or the adapter's console. */
export type RunLog = Pick<LogWriter, 'line' | 'write' | 'lastLines' | 'filePath'>;

/** An event about one benchmark of the unit; ids and index are filled in by the reporter. */
export type UnitEvent = Omit<BenchmarkStatusEvent, 'id' | 'provider_id' | 'benchmark_index'>;

/** Everything an executor needs to run one unit (one or more benchmarks of a job). */
export interface RunContext {
  job: JobRecord;
  unitKey: string;
  /** Benchmark indexes still to run (finished ones of an earlier attempt are left out). */
  indexes: number[];
  provider: ProviderRecord | undefined;
  cfg: AppConfig;
  signal: AbortSignal;
  /** Aborts once benchmark `index` was finished from outside (its adapter reported); the process may go. */
  benchmarkDone(index: number): AbortSignal;
  logs: RunLog;
  /** Applies a status event for one benchmark of the unit, like an adapter callback would. */
  report(index: number, event: UnitEvent): Promise<void>;
  /** Folder for the benchmark's files (JobSpec, outputs); created on demand. */
  workDir(index: number): string;
  /** Records the process group so a later attempt can stop it if this worker dies. */
  recordProcess(pid: number): Promise<void>;
  /** The job as stored now (the `job` above is the snapshot the run started with). */
  currentJob(): Promise<JobRecord | undefined>;
  /** 1 for the first run of this unit; retried units after an error get a new number. */
  attempt: number;
  /** This run's credential for /events (in the callback URL locally, in the sidecar on Kubernetes). */
  callbackToken: string;
  /** The model API key that model.auth.secret_ref resolved to on this worker, if any. */
  modelApiKey?: string;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** One backend. Executors report results through ctx.report; a thrown error means "retry". */
export interface Executor {
  readonly kind: ExecutorKind;
  run(ctx: RunContext): Promise<RunOutcome>;
}

export const EXECUTORS = Symbol('EXECUTORS');
