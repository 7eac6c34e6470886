import { Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'crypto';
import { AppConfig, loadConfig } from '../config/app-config';
import { AppLogger } from '../logging/app-logger';
import { ApiExceptionFilter, toErrorBody } from './api-exception.filter';
import { withLogFields } from '../logging/log-context';
import { AccessGuard } from './access.guard';
import { knownMethodsFor, registerRoute } from './route-table';
import { createValidationPipe } from './validation';
import { nullMeansAbsent, parseJsonBody, routeBodyLimit, withoutNulls } from './json-body';
import { ApiError } from '../errors/api-error';
import { AUTHENTICATOR, Authenticator } from '../auth/identity';
import { splitCapabilityPath } from '../../domain/callback-binding';
import { foreignOrigin } from './origin-check';
import { readBodiesAsJson } from './json-body-types';
import { attachFastPath, CALLBACK_TOKEN_HEADER, FastPath, requestIdOf } from './fast-path';
import { CONTRACT_HEALTH, healthBody } from './health-probe';

const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_WAIT_MS = 2000;

/**
 * A Nest app on Fastify with the contract's HTTP behaviour: request ids echoed, every error as
 * {message_code, message, trace}, body limit answered with 413, validation as 400.
 */
export async function createHttpApp(module: Type<unknown>, service: string, opts: { authenticate?: boolean } = {}): Promise<{ app: NestFastifyApplication; cfg: AppConfig }> {
  const cfg = loadConfig();
  const logger = new AppLogger(cfg.logLevel, cfg.logFormat, service);
  const fastPath = new FastPath();
  const adapter = new FastifyAdapter({
    bodyLimit: cfg.maxRequestBodyBytes,
    serverFactory: fastPath.serverFactory,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdOf(req.headers),
    // Ids of any length reach the handlers (and get a 404 there); only absurd URLs stop here.
    routerOptions: { maxParamLength: 2048 },
    // Errors raised by the router before Nest sees the request, in the contract's error format.
    frameworkErrors: (error: Error, req: FastifyRequest, reply: FastifyReply) => {
      const tooLong = (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      void sendError(reply, req, tooLong ? 414 : 400, tooLong ? 'uri_too_long' : 'request_validation_failed', tooLong ? 'The request path is too long.' : `The request URL is invalid: ${error.message}`);
    },
    // An adapter's callback URL carries its run's token as a path prefix (/cb/<token>/api/v1/…),
    // because the SDK only appends the events path to it; the token moves to a header here, so
    // routes, logs and metrics never see it.
    rewriteUrl: (req: { url?: string; headers: Record<string, string | string[] | undefined> }) => {
      const split = splitCapabilityPath(req.url ?? '/');
      if (!split) return req.url ?? '/';
      req.headers[CALLBACK_TOKEN_HEADER] = split.token;
      return split.path;
    },
    // Malformed HTTP (bad request line, headers) answered in the error format too.
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      if (!socket.writable) return socket.destroy(err);
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const body = JSON.stringify({
        message_code: tooLarge ? 'request_body_too_large' : 'request_validation_failed',
        message: tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP.',
        trace: randomUUID(),
      });
      socket.end(`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
    // Closes keep-alive sockets on shutdown so app.close() does not wait for idle clients.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const fastify = adapter.getInstance();
  attachFastPath(fastify, fastPath);
  fastify.addHook('preClose', async () => {
    fastPath.startClosing();
  });
  fastify.addHook('onRoute', (route) => registerRoute(route.url, route.method));
  fastify.addHook('onRequest', async (req, reply) => {
    reply.header('X-Global-Transaction-Id', String(req.id));
    // The contract's health check, when the server's fast path passed it on (a browser origin):
    // it needs nothing of Nest. The controller route stays for the OpenAPI document.
    if (req.method === 'GET' && req.url === CONTRACT_HEALTH) {
      return reply.header('content-type', 'application/json; charset=utf-8').send(healthBody());
    }
    // A known path asked with a method it does not have (TRACE, QUERY, …) is a 405 before any body
    // or content-type handling; unknown paths fall through to the 404 of the router.
    // GET and POST, nearly all traffic, skip the route scan: if the path lacks them, the router's
    // 404 becomes the 405 in the error filter.
    if (req.method !== 'GET' && req.method !== 'POST') {
      const path = (req.url ?? '/').split('?')[0];
      const methods = knownMethodsFor(path);
      if (methods.length && !methods.includes(req.method) && !(req.method === 'OPTIONS' && cfg.corsOrigins.length)) {
        void reply.header('allow', methods.join(', '));
        return sendError(reply, req, 405, 'method_not_allowed', `The method ${req.method} is not allowed on ${path}; use ${methods.join(', ')}.`);
      }
    }
    // A declared body over the limit is refused before it is parsed; it is read to the end first
    // (up to 64 MiB, discarded, for at most 2 s), because closing on an unread body resets the
    // connection and the client never sees the 413.
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > cfg.maxRequestBodyBytes) {
      if (declared <= DRAIN_LIMIT_BYTES) {
        // A client that announced the body but waits for an answer before sending it gets it
        // after DRAIN_WAIT_MS.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, DRAIN_WAIT_MS);
          const done = () => (clearTimeout(timer), resolve());
          req.raw.once('end', done);
          req.raw.once('error', done);
          req.raw.resume();
        });
      }
      return sendError(reply, req, 413, 'request_body_too_large', `The request body is larger than ${cfg.maxRequestBodyBytes} bytes.`);
    }
    // A page on another origin must not drive the API through the user's browser (simple
    // requests skip CORS preflight), whatever CORS answers.
    const origin = foreignOrigin(req, cfg.corsOrigins);
    if (origin) return sendError(reply, req, 403, 'forbidden', `Requests from the web origin ${origin} are not allowed; add it to CORS_ORIGINS to allow it.`);
  });
  readBodiesAsJson(fastify);
  // Clients (the Python SDK among them) send `Content-Type: application/json` with an empty body on
  // DELETE; Fastify's stock parser rejects that, so an empty body parses as no body here.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    try {
      const text = String(body);
      const path = (req.url ?? '').split('?')[0];
      const limit = routeBodyLimit(path);
      if (limit !== undefined && Buffer.byteLength(text) > limit) {
        throw new ApiError('request_body_too_large', `The request body is larger than ${limit} bytes, the limit of this route.`);
      }
      const parsed = parseJsonBody(text);
      done(null, nullMeansAbsent(req.method, path) ? withoutNulls(parsed) : parsed);
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false, bodyParser: false });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  // Only the API process has the authenticator (AuthModule); the worker serves no API routes.
  const authenticator = opts.authenticate ? (app.get<Authenticator | null>(AUTHENTICATOR) ?? undefined) : undefined;
  const guard = new AccessGuard(cfg, authenticator);
  app.useGlobalGuards(guard);
  // Reads served below Fastify get the same access check and error format (API app only).
  if (opts.authenticate) {
    const errorLogger = new Logger('HTTP');
    fastPath.authorize = (req) => guard.callerFor(req);
    fastPath.bodyLimit = (path) => Math.min(cfg.maxRequestBodyBytes, routeBodyLimit(path) ?? Infinity);
    fastPath.renderError = (e, req) => {
      const { status, body, allow } = withLogFields({ request_id: req.id }, () => toErrorBody(e, req, errorLogger));
      return { status, body, headers: allow ? { allow: allow.join(', ') } : undefined };
    };
  }
  // One access line per request at debug level, with the request id (and the job id on job
  // routes). Written from Fastify's onResponse hook: a per-request async context around every
  // handler cost about a third of the throughput of simple reads.
  if (cfg.logLevel === 'debug') {
    fastify.addHook('onResponse', async (req, reply) => {
      const params = req.params as Record<string, string> | undefined;
      const jobId = params?.id && req.url.includes('/jobs/') ? params.id : undefined;
      withLogFields({ request_id: String(req.id), ...(jobId ? { job_id: jobId } : {}) }, () =>
        logger.debug(`${req.method} ${withoutSecrets(req.url)} -> ${reply.statusCode} in ${reply.elapsedTime.toFixed(1)} ms`, 'HTTP'),
      );
    });
  }
  app.enableShutdownHooks();
  // CORS only for the origins named in CORS_ORIGINS (none by default).
  if (cfg.corsOrigins.length) app.enableCors({ origin: cfg.corsOrigins, exposedHeaders: ['X-Global-Transaction-Id', 'X-Log-Truncated'] });
  return { app, cfg };
}


/** An error answered from a Fastify hook (before Nest's filter can see it), in the contract's format. */
function sendError(reply: FastifyReply, req: FastifyRequest, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).header('content-type', 'application/json; charset=utf-8').send({ message_code: code, message, trace: String(req.id) });
}

/** A URL for the access log: a token given in the query (the queue view's ?token=) is masked. */
export function withoutSecrets(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1***');
}
