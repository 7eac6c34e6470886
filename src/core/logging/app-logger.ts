import { LoggerService } from '@nestjs/common';
import { logContext } from './log-context';

const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const;
type Level = keyof typeof LEVELS;
/** Nest's own boot contexts: one line per module, controller and route mapped. */
const FRAMEWORK_BOOT = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest logger that writes one JSON object per line in production (for log shippers) and a
 * readable line in development. Each line carries the request id / job id of its scope.
 */
export class AppLogger implements LoggerService {
  constructor(
    private readonly level: Level,
    private readonly format: 'json' | 'pretty',
    private readonly service: string,
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    // The framework's boot chatter (every module, controller and route) is for debugging only.
    const context = rest[rest.length - 1];
    this.write(typeof context === 'string' && FRAMEWORK_BOOT.has(context) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] > LEVELS[this.level]) return;
    // Nest passes the context (class name) last; error() may pass a stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = level === 'error' && rest.length > 1 && typeof rest[0] === 'string' ? (rest[0] as string) : undefined;
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    const fields = logContext.getStore() ?? {};
    const time = new Date().toISOString();
    if (this.format === 'json') {
      const line: Record<string, unknown> = { time, level, service: this.service, context, msg: text, ...fields };
      if (stack) line.stack = stack;
      process.stdout.write(JSON.stringify(line) + '\n');
      return;
    }
    const tags = Object.entries(fields)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    process.stdout.write(`${time} ${level.toUpperCase().padEnd(5)} [${context ?? this.service}] ${text}${tags ? ' ' + tags : ''}\n`);
    if (stack) process.stdout.write(stack + '\n');
  }
}
