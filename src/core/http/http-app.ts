import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'crypto';
import { AppConfig, loadConfig } from '../config/app-config';
import { AppLogger } from '../logging/app-logger';
import { ApiExceptionFilter } from './api-exception.filter';
import { withLogFields } from '../logging/log-context';
import { TenancyGuard } from './tenancy.guard';
import { registerRoute } from './route-table';
import { createValidationPipe } from './validation';
import { readBodiesAsJson } from './json-body-types';

const REQUEST_ID_HEADER = 'x-global-transaction-id';

/**
 * A Nest app on Fastify with the contract's HTTP behaviour: request ids echoed, every error as
 * {message_code, message, trace}, body limit answered with 413, validation as 400.
 */
export async function createHttpApp(module: Type<unknown>, service: string): Promise<{ app: NestFastifyApplication; cfg: AppConfig }> {
  const cfg = loadConfig();
  const logger = new AppLogger(cfg.logLevel, cfg.logFormat, service);
  const adapter = new FastifyAdapter({
    bodyLimit: cfg.maxRequestBodyBytes,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const h = req.headers[REQUEST_ID_HEADER];
      const v = Array.isArray(h) ? h[0] : h;
      return v && v.length <= 200 ? v : randomUUID();
    },
    // Ids of any length reach the handlers (and get a 404 there); only absurd URLs stop here.
    maxParamLength: 2048,
    // Errors raised by the router before Nest sees the request, in the contract's error format.
    frameworkErrors: (error: Error, req: FastifyRequest, reply: FastifyReply) => {
      const tooLong = (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply
        .status(tooLong ? 414 : 400)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ message_code: tooLong ? 'uri_too_long' : 'request_validation_failed', message: tooLong ? 'The request path is too long.' : `The request URL is invalid: ${error.message}`, trace: String(req.id) });
    },
    // Closes keep-alive sockets on shutdown so app.close() does not wait for idle clients.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRoute', (route) => registerRoute(route.url, route.method));
  fastify.addHook('onRequest', async (req, reply) => {
    reply.header('X-Global-Transaction-Id', String(req.id));
  });
  readBodiesAsJson(fastify);
  // Clients (the Python SDK among them) send `Content-Type: application/json` with an empty body on
  // DELETE; Fastify's stock parser rejects that, so an empty body parses as no body here.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false, bodyParser: false });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalGuards(new TenancyGuard(cfg));
  // One access line per request at debug level, with the request id (and the job id on job
  // routes). Written from Fastify's onResponse hook: a per-request async context around every
  // handler cost about a third of the throughput of simple reads.
  if (cfg.logLevel === 'debug') {
    fastify.addHook('onResponse', async (req, reply) => {
      const params = req.params as Record<string, string> | undefined;
      const jobId = params?.id && req.url.includes('/jobs/') ? params.id : undefined;
      withLogFields({ request_id: String(req.id), ...(jobId ? { job_id: jobId } : {}) }, () =>
        logger.debug(`${req.method} ${req.url} -> ${reply.statusCode} in ${reply.elapsedTime.toFixed(1)} ms`, 'HTTP'),
      );
    });
  }
  app.enableShutdownHooks();
  if (cfg.tenancyMode === 'local') app.enableCors();
  return { app, cfg };
}
