import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DashboardBundle, DashboardFile } from './dashboard-bundle';

/** The page: no script or style from anywhere but this origin (Chart.js and Preact are bundled). */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EvalHub dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>This EvalHub API serves its web dashboard from <code>dist/dashboard/</code>, which is missing or incomplete.
Build it with <code>npm run build</code> (or <code>node scripts/build-dashboard.js</code> after <code>nest build</code>), then reload.</p>
<p>The API itself works: see <a href="/docs">/docs</a>.</p></body></html>`;

/**
 * The web dashboard at / and /ui (hash routes inside), its assets under /ui/. Public like /docs:
 * the page holds no data; its API calls carry the user's credentials and are checked as usual.
 */
@ApiExcludeController()
@Controller()
export class DashboardController {
  constructor(private readonly bundle: DashboardBundle) {}

  @Get(['', 'ui'])
  index(@Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(req, reply, 'index.html');
  }

  /** Also answers /ui/ (an empty name): the page again. Names are flat; anything deeper is a 404. */
  @Get('ui/*')
  asset(@Param('*') file: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(req, reply, file || 'index.html');
  }

  private send(req: FastifyRequest, reply: FastifyReply, name: string): void {
    const file = this.bundle.file(name);
    if (file === 'not-built') {
      void reply.code(503).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('retry-after', '30').send(NOT_BUILT);
      return;
    }
    if (!file) {
      void reply
        .code(404)
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .send({ message_code: 'resource_not_found', message: `No dashboard file '${name}'.`, trace: String(req.id) });
      return;
    }
    sendFile(req, reply, file);
  }
}

function sendFile(req: FastifyRequest, reply: FastifyReply, file: DashboardFile): void {
  void reply
    .header('content-type', file.type)
    .header('etag', file.etag)
    // Hashed assets never change; the page is revalidated so a new build shows at once.
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff');
  if (file.type.startsWith('text/html')) void reply.header('content-security-policy', CSP).header('referrer-policy', 'same-origin');
  if (req.headers['if-none-match'] === file.etag) {
    void reply.code(304).send();
    return;
  }
  void reply.code(200).send(file.body);
}
