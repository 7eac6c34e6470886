import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastify } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTHENTICATOR, Authenticator } from '../core/auth/identity';
import { AppConfig } from '../core/config/app-config';
import { QueueName } from './queue.constants';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const TOKEN_COOKIE = 'evalhub_admin_token';

/**
 * Bull Board over the three queues, for operators: off unless EVALHUB_QUEUE_DASHBOARD=true. With
 * authentication on it takes an admin's bearer token (header, or once as ?token= which is kept
 * in an HttpOnly cookie for this path, since a browser cannot send headers on navigation);
 * without authentication only on a single-user (local tenancy) install.
 */
export async function setupQueueDashboard(app: NestFastifyApplication, cfg: AppConfig): Promise<boolean> {
  if (!cfg.queueDashboard) return false;
  const board = new BullBoardFastify();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  const queues = Object.values(QueueName).map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name), { strict: false })));
  createBullBoard({ queues, serverAdapter: board, options: { uiConfig: { boardTitle: 'EvalHub queues' } } });
  const authenticator = app.get<Authenticator | null>(AUTHENTICATOR, { strict: false }) ?? undefined;
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req, reply) => {
        const refusal = await refuse(req, reply, cfg, authenticator);
        if (refusal) return refusal;
      });
      await scope.register(board.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
  new Logger('QueueDashboard').log(`Bull Board at ${QUEUE_DASHBOARD_PATH}${authenticator ? ' (admins only)' : ''}`);
  return true;
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function error(reply: FastifyReply, req: FastifyRequest, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).header('content-type', 'application/json; charset=utf-8').send({ message_code: code, message, trace: String(req.id) });
}

/** Undefined when the caller may look; otherwise the answer already sent. */
async function refuse(req: FastifyRequest, reply: FastifyReply, cfg: AppConfig, authenticator: Authenticator | undefined): Promise<FastifyReply | undefined> {
  if (!authenticator) {
    if (cfg.tenancyMode === 'local') return undefined;
    return error(reply, req, 403, 'forbidden', 'The queue view needs an admin; turn authentication on (AUTH_MODE) to use it in cluster mode.');
  }
  const url = new URL(req.url, 'http://x');
  const fromQuery = url.searchParams.get('token');
  const token = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? fromQuery ?? cookie(req, TOKEN_COOKIE);
  if (!token) return error(reply, req, 401, 'unauthorized', `Authentication is required: send Authorization: Bearer <token>, or open ${QUEUE_DASHBOARD_PATH}?token=<token> once.`);
  let identity;
  try {
    identity = await authenticator.authenticate(token);
  } catch (e) {
    return error(reply, req, 503, 'service_unavailable', `Credentials cannot be checked right now: ${(e as Error).message}`);
  }
  if (!identity) return error(reply, req, 401, 'unauthorized', 'The bearer token is not valid.');
  // The board shows and changes every tenant's work: an admin of some tenants only is not enough.
  if (identity.role !== 'admin' || identity.tenants !== '*') return error(reply, req, 403, 'forbidden', `'${identity.user}' is not an admin of every tenant; the queue view is for those only.`);
  if (fromQuery) {
    // Keep it for the page's own requests, and take it out of the address bar and history.
    url.searchParams.delete('token');
    return reply
      .header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=${QUEUE_DASHBOARD_PATH}; Max-Age=3600; HttpOnly; SameSite=Strict${req.protocol === 'https' ? '; Secure' : ''}`)
      .redirect(`${url.pathname}${url.search}`, 303);
  }
  return undefined;
}
