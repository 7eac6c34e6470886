import { Inject, Injectable, Logger } from '@nestjs/common';
import * as fs from 'fs';
import type { Readable } from 'stream';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { ApiError } from '../core/errors/api-error';
import { jobFile } from '../core/files/job-files';
import { ArtifactFile, artifactFiles, artifactUrl, mediaType } from '../domain/artifacts';
import { JobRecord } from '../domain/types';
import { ArtifactStash } from './artifact-stash';
import { EXPERIMENT_TRACKER, ExperimentTracker } from './experiment-tracker';

export type ArtifactSource = 'stash' | 'worker_disk' | 'mlflow';

export interface ArtifactItem {
  name: string;
  /** The result keys that name this file. */
  keys: string[];
  size_bytes?: number;
  media_type: string;
  source: ArtifactSource;
  url: string;
}

export interface ArtifactDownload {
  name: string;
  media_type: string;
  size: number;
  /** Files on disk are streamed (they are the ones too big for the stash); the others are in memory. */
  body: Buffer | Readable;
}

/**
 * A benchmark's files for download, from wherever they are now: the stash in Redis (any API
 * replica, until MLflow has them), the worker's disk when the API runs on the same machine (files
 * too big for the stash), or the benchmark's MLflow run once recorded. Only files the result
 * names, looked up by name, and disk reads only inside the job's own folder.
 */
@Injectable()
export class ArtifactsService {
  private readonly logger = new Logger(ArtifactsService.name);

  constructor(
    private readonly stash: ArtifactStash,
    @Inject(EXPERIMENT_TRACKER) private readonly tracker: ExperimentTracker,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
  ) {}

  async list(job: JobRecord, index: number): Promise<ArtifactItem[]> {
    const { files, runId } = this.filesOf(job, index);
    const jobId = job.resource.id;
    const stashed = await this.stash.sizes(jobId, index, files.map((f) => f.name));
    const recorded = runId ? await this.recorded(jobId, runId) : new Map<string, number | undefined>();
    const items: ArtifactItem[] = [];
    for (const f of files) {
      const item = (source: ArtifactSource, size?: number): ArtifactItem => ({ name: f.name, keys: f.keys, ...(size !== undefined ? { size_bytes: size } : {}), media_type: mediaType(f.name), source, url: artifactUrl(jobId, index, f.name) });
      if (stashed.has(f.name)) items.push(item('stash', stashed.get(f.name)));
      else if (recorded.has(f.name)) items.push(item('mlflow', recorded.get(f.name)));
      else {
        const local = this.onDisk(jobId, f);
        if (local) items.push(item('worker_disk', fs.statSync(local).size));
      }
    }
    // Files MLflow holds for the run that the result does not name (written by the adapter itself).
    const named = new Set(files.map((f) => f.name));
    for (const [name, size] of recorded) {
      if (!named.has(name)) items.push({ name, keys: [], ...(size !== undefined ? { size_bytes: size } : {}), media_type: mediaType(name), source: 'mlflow', url: artifactUrl(jobId, index, name) });
    }
    return items;
  }

  async open(job: JobRecord, index: number, name: string): Promise<ArtifactDownload> {
    const { files, runId } = this.filesOf(job, index);
    const jobId = job.resource.id;
    const file = files.find((f) => f.name === name);
    const found = (body: Buffer): ArtifactDownload => ({ name, media_type: mediaType(name), size: body.length, body });
    if (file) {
      const stashed = await this.stash.read(jobId, index, file.name);
      if (stashed) return found(stashed);
      const local = this.onDisk(jobId, file);
      if (local) return { name, media_type: mediaType(name), size: fs.statSync(local).size, body: fs.createReadStream(local) };
    }
    if (runId && (file || (await this.recorded(jobId, runId)).has(name))) {
      let body: Buffer | undefined;
      try {
        body = await this.tracker.readRunArtifact(runId, name);
      } catch (e) {
        const status = (e as { status?: number }).status ?? 0;
        // Gone from MLflow (run deleted): not found. Unreachable or failing: try again later.
        if (status === 404) throw ApiError.notFound('artifact', name);
        throw new ApiError('service_unavailable', `The artifact '${name}' is kept in MLflow, which did not hand it over: ${(e as Error).message}`);
      }
      if (body) return found(body);
    }
    throw ApiError.notFound('artifact', name);
  }

  private filesOf(job: JobRecord, index: number): { files: ArtifactFile[]; runId?: string } {
    if (!Number.isInteger(index) || index < 0 || index >= job.benchmarks.length) throw ApiError.notFound('benchmark', String(index));
    const result = job.results.benchmarks?.find((r) => r.benchmark_index === index);
    // Only a run EvalHub recorded (or adopted) for this benchmark: a result's mlflow_run_id is
    // whatever an event said, and could name another tenant's run.
    const runId = job.tracking?.benchmark_runs?.[String(index)];
    return { files: artifactFiles(job.resource.id, result), runId };
  }

  /** Name → size of the files of a recorded MLflow run; none when MLflow cannot be asked. */
  private async recorded(jobId: string, runId: string): Promise<Map<string, number | undefined>> {
    if (!this.tracker.enabled) return new Map();
    try {
      return new Map((await this.tracker.runArtifacts(runId)).map((a) => [a.name, a.size_bytes]));
    } catch (e) {
      this.logger.warn(`job ${jobId}: MLflow run ${runId} artifacts not listed: ${(e as Error).message}`);
      return new Map();
    }
  }

  /** The file on this machine's disk, if it is there and inside the job's own folder. */
  private onDisk(jobId: string, file: ArtifactFile): string | undefined {
    return jobFile(this.cfg.dataDir, jobId, file.path);
  }
}
