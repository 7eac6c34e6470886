import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from './core/config/app-config';
import { applyRuntimeV8Flags } from './core/config/node-flags';
import { createHttpApp } from './core/http/http-app';
import { WorkerModule } from './worker.module';

/** Worker process: runs evaluations from the queues; its HTTP port serves health and metrics. */
async function bootstrap(): Promise<void> {
  applyRuntimeV8Flags();
  const { app, cfg } = await createHttpApp(WorkerModule, 'evalhub-worker');
  await app.listen(cfg.workerPort, cfg.workerHost);
  new Logger('Bootstrap').log(
    `EvalHub worker running (max ${cfg.maxConcurrentEvaluations} concurrent runs, runtime ${cfg.runtime}); probes on http://${cfg.workerHost}:${cfg.workerPort}`,
  );
  if (process.getuid?.() === 0 && cfg.runtime === 'local') {
    if (cfg.runAs) new Logger('Bootstrap').log(`the worker runs as root: adapters and backends run as ${cfg.runAs.user} (RUN_AS_USER)`);
    else new Logger('Bootstrap').warn('the worker runs as root and so do its adapters and backends (RUN_AS_USER=root, or no user nobody): set RUN_AS_USER to an unprivileged user');
  }
}

// Started by `npm start` (local.ts) over an IPC channel: when the launcher dies, even by SIGKILL,
// the channel closes and this process shuts down as on SIGTERM instead of living on alone.
if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));

bootstrap().catch((e: unknown) => {
  const msg = e instanceof ConfigError ? `Configuration error: ${e.message}` : (e as Error)?.stack ?? String(e);
  process.stderr.write(msg + '\n');
  process.exit(1);
});
