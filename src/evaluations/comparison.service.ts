import { Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'stream';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { CandidateComparison, compareJobs } from '../domain/comparison';
import { assertKnownParams, once } from '../domain/filters';
import { JobRecord } from '../domain/types';
import { SAMPLE_SCORES_ARTIFACT, SampleScores } from '../domain/uncertainty';
import { ArtifactsService } from './artifacts.service';
import { EvaluationsService } from './evaluations.service';

const MAX_CANDIDATES = 10;

export interface JobComparison {
  baseline: { id: string; name: string };
  comparisons: CandidateComparison[];
}

/**
 * Compares finished jobs with a baseline (GET /jobs/compare): loads the per-sample scores the
 * runs logged, from wherever the benchmark's files are, and leaves the maths to domain/comparison.
 */
@Injectable()
export class ComparisonService {
  private readonly logger = new Logger(ComparisonService.name);

  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly artifacts: ArtifactsService,
  ) {}

  async compare(query: Record<string, string | string[] | undefined>, caller: RequestContext): Promise<JobComparison> {
    assertKnownParams(query, ['baseline', 'candidate']);
    const baselineId = once('baseline', query.baseline);
    const candidateIds = query.candidate === undefined ? [] : ([] as string[]).concat(query.candidate);
    if (!baselineId) throw new ApiError('query_parameter_invalid', "The query parameter 'baseline' (a job id) is required.");
    if (candidateIds.length === 0 || candidateIds.length > MAX_CANDIDATES) {
      throw new ApiError('query_parameter_invalid', `Give 1 to ${MAX_CANDIDATES} 'candidate' job ids (candidate=<id>&candidate=<id>…), got ${candidateIds.length}.`);
    }
    const baseline = await this.evaluations.get(baselineId, caller);
    const candidates = await Promise.all(candidateIds.map((id) => this.evaluations.get(id, caller)));
    return { baseline: { id: baseline.resource.id, name: baseline.config.name }, comparisons: await this.compareRecords(baseline, candidates) };
  }

  /** Jobs already read (and checked for the caller) compared with a baseline. */
  async compareRecords(baseline: JobRecord, candidates: JobRecord[]): Promise<CandidateComparison[]> {
    const scores = new Map<string, SampleScores[] | undefined>();
    for (const job of [baseline, ...candidates]) {
      for (const r of job.results.benchmarks ?? []) scores.set(`${job.resource.id}/${r.benchmark_index}`, await this.sampleScores(job, r.benchmark_index));
    }
    const source = (job: JobRecord, index: number) => scores.get(`${job.resource.id}/${index}`);
    return candidates.map((c) => compareJobs(baseline, c, source));
  }

  /** The benchmark's per-sample scores file, if its run wrote one and it can be read now. */
  private async sampleScores(job: JobRecord, index: number): Promise<SampleScores[] | undefined> {
    const result = job.results.benchmarks?.find((r) => r.benchmark_index === index);
    const file = (result?.artifacts as Record<string, unknown> | undefined)?.[SAMPLE_SCORES_ARTIFACT];
    if (typeof file !== 'string') return undefined;
    try {
      const download = await this.artifacts.open(job, index, file.slice(file.lastIndexOf('/') + 1));
      const text = Buffer.isBuffer(download.body) ? download.body.toString('utf8') : await readAll(download.body);
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as SampleScores);
    } catch (e) {
      // Compared without pairing (and said so) rather than not at all.
      this.logger.warn(`job ${job.resource.id} benchmark ${index}: per-sample scores not readable: ${(e as Error).message}`);
      return undefined;
    }
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}
