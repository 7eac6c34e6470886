import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'stream';
import { ApiErrors } from '../common/api-docs';
import { Caller } from '../core/http/caller.decorator';
import { RequestContext } from '../core/http/request-context';
import { ArtifactListDto, JobComparisonDto, JobListDto, JobResourceDto } from './dto/job-resource.dto';
import { ArtifactsService } from './artifacts.service';
import { ComparisonService } from './comparison.service';
import { JobRecord } from '../domain/types';
import { ApiError } from '../core/errors/api-error';
import { JobSubmissionDto } from './dto/job-submission.dto';
import { StatusEventDto } from './dto/status-event.dto';
import { EvaluationsService } from './evaluations.service';
import { JobLogs, JobLogsService } from './job-logs.service';
import { JobListBodies } from './job-list-bodies';
import { JobReader } from './job-reader';
import { CALLBACK_TOKEN_HEADER } from '../core/http/fast-path';
import { header } from '../core/http/caller.decorator';
import { EventIntake } from './event-intake';
import { HEARTBEAT_MS, JobStreamService } from './job-stream.service';
import { streamEntryId } from '../domain/job-stream';
import { assertKnownParams, parseBool } from '../domain/filters';

const LOG_QUERIES = [
  ApiQuery({ name: 'tail_lines', required: false, description: 'Last N lines (1..10000, default 1000; -1 = all)' }),
  ApiQuery({ name: 'since_seconds', required: false, description: 'Only lines from the last N seconds' }),
  ApiQuery({ name: 'timestamps', required: false, description: 'Prefix each line with its RFC 3339 time' }),
];

@ApiTags('evaluations')
@Controller('api/v1/evaluations/jobs')
export class EvaluationsController {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly intake: EventIntake,
    private readonly stream: JobStreamService,
    private readonly artifactFiles: ArtifactsService,
    private readonly comparisons: ComparisonService,
    private readonly jobLogs: JobLogsService,
    private readonly reader: JobReader,
    private readonly listBodies: JobListBodies,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit an evaluation job',
    description:
      'Give exactly one of `benchmarks`, `collection` (with optional overrides) or `risk_category`. The job is validated, expanded into benchmarks (index = position) and queued; it starts `pending`.',
  })
  @ApiResponse({ status: 202, type: JobResourceDto, description: 'Accepted and queued' })
  @ApiErrors(400, 404, 413, 503)
  async submit(@Body() body: JobSubmissionDto, @Caller() caller: RequestContext) {
    return this.view(await this.evaluations.submit(body, caller));
  }

  @Get()
  @ApiOperation({ summary: 'List evaluation jobs, newest first' })
  @ApiQuery({ name: 'limit', required: false, description: 'Page size (default 50, 0 = all)' })
  @ApiQuery({ name: 'offset', required: false })
  @ApiQuery({ name: 'status', required: false, description: "State filter, e.g. 'pending|running'" })
  @ApiQuery({ name: 'name', required: false })
  @ApiQuery({ name: 'tags', required: false, description: "'a,b' all of, 'a|b' any of" })
  @ApiQuery({ name: 'owner', required: false })
  @ApiQuery({ name: 'experiment_id', required: false })
  @ApiResponse({ status: 200, type: JobListDto })
  @ApiErrors(400)
  async list(@Query() query: Record<string, string>, @Req() req: FastifyRequest, @Caller() caller: RequestContext, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const page = await this.evaluations.list(query, req.url, caller);
    reply.header('Content-Type', 'application/json; charset=utf-8');
    return this.listBodies.of(page);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an evaluation job with its status and results' })
  @ApiResponse({ status: 200, type: JobResourceDto })
  @ApiErrors(404)
  async get(@Param('id') id: string, @Caller() caller: RequestContext) {
    return this.reader.read(id, caller);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Cancel or delete a job',
    description: 'Cancels a pending or running job and stops its processes; `hard_delete=true` removes it. Cancelling a finished job is 409.',
  })
  @ApiQuery({ name: 'hard_delete', required: false, type: Boolean })
  @ApiResponse({ status: 204, description: 'Cancelled (or deleted)' })
  @ApiErrors(400, 404, 409)
  async cancel(@Param('id') id: string, @Query() query: Record<string, string>, @Caller() caller: RequestContext): Promise<void> {
    await this.evaluations.cancel(id, query, caller);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: "Run a finished job's failed benchmarks again",
    description:
      'Re-runs the failed and cancelled benchmarks of a finished job in place: completed ones keep their results, the job goes back to pending and ends with a new overall state. 409 `job_not_finished` while it runs, 409 `nothing_to_retry` when every benchmark completed.',
  })
  @ApiResponse({ status: 202, description: 'Accepted: the job, pending again', type: JobResourceDto })
  @ApiErrors(404, 409)
  async retry(@Param('id') id: string, @Caller() caller: RequestContext) {
    return this.view(await this.evaluations.retry(id, caller));
  }

  @Post(':id/events')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Report a benchmark status (adapter callback)',
    description:
      "Sent by adapters (EvalHub SDK DefaultCallbacks) to the JobSpec's callback_url, which carries the run's callback token as a path prefix (`/cb/{token}/api/v1/…`); in Kubernetes the sidecar adds it as the `X-EvalHub-Callback-Token` header. An authenticated caller allowed to write the job may post too. Terminal benchmark events carry metrics; a finished benchmark is never overwritten (409).",
  })
  @ApiResponse({ status: 204, description: 'Applied' })
  @ApiErrors(400, 401, 403, 404, 409)
  async event(@Param('id') id: string, @Body() body: StatusEventDto, @Req() req: FastifyRequest, @Caller() caller: RequestContext): Promise<void> {
    await this.intake.receive(id, body, header(req, CALLBACK_TOKEN_HEADER), caller);
  }

  @Get('compare')
  @ApiOperation({
    summary: 'Compare jobs with a baseline',
    description:
      'For every benchmark the baseline and a candidate both ran with the same parameters: each metric\'s values, the difference (candidate − baseline) with its 95% interval and a p-value — paired on the shared samples where both runs logged per-sample scores (exact McNemar for 0/1 scores, a sign-flip permutation test otherwise), else an unpaired z-test from the standard errors, with a note. The primary metric decides whether the candidate `improved`, `regressed` or showed `no_significant_change` at α = 0.05 after a Holm correction over the candidate\'s benchmarks. Benchmarks only one job ran are listed apart. An EvalHub addition.',
  })
  @ApiQuery({ name: 'baseline', required: true, description: 'Id of the job to compare against' })
  @ApiQuery({ name: 'candidate', required: true, isArray: true, description: 'Id of a job to compare (repeat for up to 10)' })
  @ApiResponse({ status: 200, type: JobComparisonDto })
  @ApiErrors(400, 404)
  async compare(@Query() query: Record<string, string | string[]>, @Caller() caller: RequestContext) {
    return this.comparisons.compare(query, caller);
  }

  @Get('stream')
  @ApiOperation({
    summary: 'Live stream of job changes (Server-Sent Events)',
    description:
      'One `job` event ({id, tenant, name, state, updated_at}) per change of any job the caller may see, from now on (or after `Last-Event-ID`). Comment lines every 15 s keep it open. An EvalHub addition.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'last_event_id', required: false, description: 'Resume after this event id (the Last-Event-ID header wins)' })
  @ApiResponse({ status: 200, description: 'An event stream', schema: { type: 'string' } })
  @ApiErrors(400)
  async changes(@Query() query: Record<string, string>, @Req() req: FastifyRequest, @Caller() caller: RequestContext, @Res() reply: FastifyReply) {
    assertKnownParams(query, ['last_event_id']);
    const lastId = streamEntryId(header(req, 'last-event-id')) ?? streamEntryId(query.last_event_id);
    const gone = new AbortController();
    const events = await this.stream.changeEvents(caller.tenant, lastId, gone.signal);
    this.sendEvents(reply, () => events, gone);
  }

  @Get(':id/stream')
  @ApiOperation({
    summary: 'Live stream of one job (Server-Sent Events)',
    description:
      'A `status` event (state, message, overall percent, every benchmark with status, phase, progress, count and ETA) at every change, then one `result` event with the results when the job ends, after which the stream closes. With `logs=true`, a `log` event ({unit, benchmark_indexes, time, line}) per line the job\'s runs write, in time order with the rest. Event ids allow `Last-Event-ID` to resume without loss or repeats; without it the stream starts at the job\'s first state. A finished job answers its final state at once. An EvalHub addition.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'last_event_id', required: false, description: 'Resume after this event id (the Last-Event-ID header wins)' })
  @ApiQuery({ name: 'logs', required: false, type: Boolean, description: 'Also send the log lines of the job\'s runs (`log` events)' })
  @ApiResponse({ status: 200, description: 'An event stream', schema: { type: 'string' } })
  @ApiErrors(400, 404)
  async jobStream(@Param('id') id: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest, @Caller() caller: RequestContext, @Res() reply: FastifyReply) {
    assertKnownParams(query, ['last_event_id', 'logs']);
    const withLogs = parseBool('logs', query.logs, false);
    const job = await this.evaluations.get(id, caller);
    const lastId = streamEntryId(header(req, 'last-event-id')) ?? streamEntryId(query.last_event_id);
    const gone = new AbortController();
    this.sendEvents(reply, () => this.stream.jobEvents(job, lastId, gone.signal, withLogs), gone);
  }

  private view(job: JobRecord): Record<string, unknown> {
    return this.reader.view(job);
  }

  /** Writes an event stream on the raw response until the source ends or the client goes. */
  private sendEvents(reply: FastifyReply, source: () => AsyncGenerator<string>, gone: AbortController): void {
    const res = rawOk(reply, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.on('close', () => gone.abort());
    void (async () => {
      try {
        // How long a client waits before reconnecting (EventSource honours it).
        res.write(`retry: ${Math.min(HEARTBEAT_MS, 3000)}\n\n`);
        for await (const chunk of source()) {
          if (gone.signal.aborted) break;
          // A client that reads slowly holds the stream back instead of filling the API's memory.
          if (!res.write(chunk)) await drained(res);
        }
      } catch {
        /* Redis went away mid-stream: the client reconnects with its Last-Event-ID */
      } finally {
        res.end();
      }
    })();
  }

  @Get(':id/logs')
  @ApiOperation({ summary: 'Logs of every benchmark of a job', description: 'One section per run, headed `=== run=… benchmark_id=… ===`.' })
  @ApiProduces('text/plain')
  @(LOG_QUERIES[0])
  @(LOG_QUERIES[1])
  @(LOG_QUERIES[2])
  @ApiResponse({ status: 200, description: 'Plain text', schema: { type: 'string' } })
  @ApiErrors(400, 404)
  async logs(@Param('id') id: string, @Query() query: Record<string, string>, @Caller() caller: RequestContext, @Res() reply: FastifyReply) {
    await this.sendLogs(reply, await this.jobLogs.logs(id, undefined, query, caller));
  }

  @Get(':id/benchmarks/:index/logs')
  @ApiOperation({ summary: 'Logs of one benchmark of a job' })
  @ApiParam({ name: 'index', description: 'benchmark_index' })
  @ApiProduces('text/plain')
  @(LOG_QUERIES[0])
  @(LOG_QUERIES[1])
  @(LOG_QUERIES[2])
  @ApiResponse({ status: 200, description: 'Plain text', schema: { type: 'string' } })
  @ApiErrors(400, 404)
  async benchmarkLogs(
    @Param('id') id: string,
    @Param('index') index: string,
    @Query() query: Record<string, string>,
    @Caller() caller: RequestContext,
    @Res() reply: FastifyReply,
  ) {
    await this.sendLogs(reply, await this.jobLogs.logs(id, index, query, caller));
  }

  @Get(':id/benchmarks/:index/artifacts')
  @ApiOperation({
    summary: 'Files of one benchmark of a job',
    description:
      'The files the benchmark\'s result names (results, samples, reports, run log) that can be downloaded now, wherever they are kept (the stash in Redis, the worker\'s disk on the same machine, or the benchmark\'s MLflow run once recorded). An EvalHub addition.',
  })
  @ApiParam({ name: 'index', description: 'benchmark_index' })
  @ApiResponse({ status: 200, type: ArtifactListDto })
  @ApiErrors(400, 404)
  async artifacts(@Param('id') id: string, @Param('index') index: string, @Query() query: Record<string, string>, @Caller() caller: RequestContext): Promise<ArtifactListDto> {
    assertKnownParams(query, []);
    const job = await this.evaluations.get(id, caller);
    const i = benchmarkIndex(index);
    return { benchmark_index: i, items: await this.artifactFiles.list(job, i) };
  }

  @Get(':id/benchmarks/:index/artifacts/:name')
  @ApiOperation({ summary: 'Download one file of a benchmark', description: 'The file as an attachment. `name` is one of the names the list gives. An EvalHub addition.' })
  @ApiParam({ name: 'index', description: 'benchmark_index' })
  @ApiParam({ name: 'name', description: 'file name, as listed' })
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'The file', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(400, 404, 503)
  async artifact(@Param('id') id: string, @Param('index') index: string, @Param('name') name: string, @Query() query: Record<string, string>, @Caller() caller: RequestContext, @Res() reply: FastifyReply) {
    assertKnownParams(query, []);
    const job = await this.evaluations.get(id, caller);
    const file = await this.artifactFiles.open(job, benchmarkIndex(index), name);
    // Always a download, never rendered here: a report's HTML must not run in the API's origin.
    await reply
      .header('content-type', file.media_type)
      .header('content-disposition', `attachment; filename="${file.name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-length', String(file.size))
      .send(file.body);
  }

  /**
   * Streams the text. Whether the size cap cut it is known only at the end, so, as upstream,
   * X-Log-Truncated is an HTTP trailer (declared up front, sent only when true). Written on the raw
   * response: Fastify's reply.trailer() loses trailers of streamed bodies (its pipe ends the
   * response before the trailer is added).
   */
  private async sendLogs(reply: FastifyReply, logs: JobLogs): Promise<void> {
    const res = rawOk(reply, { 'content-type': 'text/plain; charset=utf-8', trailer: 'X-Log-Truncated' });
    const body = Readable.from(logs.chunks);
    res.on('close', () => body.destroy());
    body.on('error', () => res.destroy());
    body.on('end', () => {
      if (logs.truncated) res.addTrailers({ 'X-Log-Truncated': 'true' });
      res.end();
    });
    body.pipe(res, { end: false });
  }
}

/**
 * Takes the response over from Fastify for a streamed body: a 200 with the headers set so far
 * (request id, CORS …) and these.
 */
/** Resolves when a paused response can take more, or is gone. */
function drained(res: FastifyReply['raw']): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function benchmarkIndex(raw: string): number {
  if (!/^\d{1,6}$/.test(raw)) throw ApiError.notFound('benchmark', raw);
  return Number(raw);
}

function rawOk(reply: FastifyReply, headers: Record<string, string>): FastifyReply['raw'] {
  reply.hijack();
  const res = reply.raw;
  for (const [k, v] of Object.entries({ ...reply.getHeaders(), ...headers })) if (v !== undefined) res.setHeader(k, v);
  res.statusCode = 200;
  return res;
}
