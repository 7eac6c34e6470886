import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ApiModule } from './api.module';
import { ConfigError } from './core/config/app-config';
import { applyRuntimeV8Flags } from './core/config/node-flags';
import { createHttpApp } from './core/http/http-app';
import { setupOpenApi } from './openapi';
import { setupQueueDashboard } from './queue/queue-dashboard';

/** API process: EvalHub v1 REST API, Swagger UI at /docs. */
async function bootstrap(): Promise<void> {
  applyRuntimeV8Flags();
  const { app, cfg } = await createHttpApp(ApiModule, 'evalhub-api', { authenticate: true });
  setupOpenApi(app);
  await setupQueueDashboard(app, cfg);
  await app.listen(cfg.apiPort, cfg.apiHost);
  new Logger('Bootstrap').log(`EvalHub API on http://${cfg.apiHost}:${cfg.apiPort}/ (dashboard; API docs at /docs; tenancy ${cfg.tenancyMode}${cfg.mlflowTrackingUri ? `, MLflow ${cfg.mlflowTrackingUri}` : ', no MLflow'})`);
}

// Started by `npm start` (local.ts) over an IPC channel: when the launcher dies, even by SIGKILL,
// the channel closes and this process shuts down as on SIGTERM instead of living on alone.
if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));

bootstrap().catch((e: unknown) => {
  const msg = e instanceof ConfigError ? `Configuration error: ${e.message}` : (e as Error)?.stack ?? String(e);
  process.stderr.write(msg + '\n');
  process.exit(1);
});
