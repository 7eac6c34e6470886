import { Injectable } from '@nestjs/common';
import { RequestContext } from '../core/http/request-context';
import { whileRedisDown } from '../core/redis/redis-availability';
import { StatusEventDto } from './dto/status-event.dto';
import { EventAccess } from './event-access';
import { JobEventsService } from './job-events.service';

/** An adapter's event as POST /jobs/{id}/events takes it, from the Nest route or the fast path. */
@Injectable()
export class EventIntake {
  constructor(
    private readonly access: EventAccess,
    private readonly events: JobEventsService,
  ) {}

  async receive(jobId: string, body: StatusEventDto, token: string | undefined, caller: RequestContext): Promise<void> {
    const ev = body.benchmark_status_event;
    // Held through a short Redis outage (under the SDK's 10 s callback timeout): the SDK sends each
    // status once, and a lost "completed" would fail the benchmark.
    await whileRedisDown(async () => {
      await this.access.check(jobId, ev.benchmark_index, token, caller);
      await this.events.apply(jobId, ev, 'api', body.job_meta);
    }, 8000);
  }
}
