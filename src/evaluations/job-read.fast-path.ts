import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { fastPathOf, JsonText } from '../core/http/fast-path';
import { JobReader } from './job-reader';

/** Ids as the router takes them (Fastify's maxParamLength); longer ones get Fastify's 414. */
const JOB_PATH = /^\/api\/v1\/evaluations\/jobs\/([^/]{1,2048})$/;

/**
 * GET /jobs/{id}, the route every client polls, answered on the server's fast path (below Fastify
 * and Nest) with the same reader, access check and errors as the controller's route.
 */
@Injectable()
export class JobReadFastPath implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly reader: JobReader,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<object>();
    const fastPath = fastify ? fastPathOf(fastify) : undefined;
    fastPath?.read('/api/v1/evaluations/jobs/:id', JOB_PATH, async ([id], caller) => new JsonText(await this.reader.readJson(id, caller)));
  }
}
