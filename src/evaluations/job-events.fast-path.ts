import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { header } from '../core/http/caller.decorator';
import { CALLBACK_TOKEN_HEADER, fastPathOf } from '../core/http/fast-path';
import { createValidationPipe } from '../core/http/validation';
import { acceptStatusEvent } from './dto/status-event.accept';
import { StatusEventDto } from './dto/status-event.dto';
import { EventIntake } from './event-intake';

/** Ids as the router takes them (Fastify's maxParamLength); longer ones get Fastify's 414. */
const EVENTS_PATH = /^\/api\/v1\/evaluations\/jobs\/([^/]{1,2048})\/events$/;

/**
 * POST /jobs/{id}/events, where every adapter reports, answered on the server's fast path (below
 * Fastify and Nest) with the same validation (the pipe, or its equal for everyday events), access
 * check and intake as the controller's route.
 */
@Injectable()
export class JobEventsFastPath implements OnModuleInit {
  private readonly pipe = createValidationPipe();

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly intake: EventIntake,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<object>();
    const fastPath = fastify ? fastPathOf(fastify) : undefined;
    fastPath?.write('/api/v1/evaluations/jobs/:id/events', EVENTS_PATH, async ([id], body, caller, headers) => {
      // Everyday events skip the pipe; any other body gets its checks and its error messages.
      const event = acceptStatusEvent(body) ?? ((await this.pipe.transform(body, { type: 'body', metatype: StatusEventDto })) as StatusEventDto);
      await this.intake.receive(id, event, header({ headers }, CALLBACK_TOKEN_HEADER), caller);
    });
  }
}
