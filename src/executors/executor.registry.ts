import { Inject, Injectable } from '@nestjs/common';
import { ExecutorKind } from '../domain/run-plan';
import { Executor, EXECUTORS } from './executor.interface';

export class UnknownExecutorError extends Error {}

/** Looks executors up by kind; a kind with no or two executors is a start-up error. */
@Injectable()
export class ExecutorRegistry {
  private readonly byKind = new Map<ExecutorKind, Executor>();

  constructor(@Inject(EXECUTORS) executors: Executor[]) {
    for (const e of executors) {
      if (this.byKind.has(e.kind)) throw new Error(`two executors registered for '${e.kind}'`);
      this.byKind.set(e.kind, e);
    }
  }

  get(kind: ExecutorKind): Executor {
    const e = this.byKind.get(kind);
    if (!e) throw new UnknownExecutorError(`no executor for '${kind}'`);
    return e;
  }
}
