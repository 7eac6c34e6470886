import { createValidationPipe } from '../../core/http/validation';
import { acceptStatusEvent } from './status-event.accept';
import { StatusEventDto } from './status-event.dto';

const pipe = createValidationPipe();

/** What the validation pipe makes of a body: the DTO, or 'refused'. */
async function viaPipe(body: unknown): Promise<unknown> {
  try {
    return await pipe.transform(body, { type: 'body', metatype: StatusEventDto });
  } catch {
    return 'refused';
  }
}

const running = { provider_id: 'lm_evaluation_harness', id: 'arc_easy', benchmark_index: 0, status: 'running', phase: 'running_evaluation', progress: 0.25, completed_count: 5, total_count: 20, count_unit: 'samples', eta_seconds: 30 };
const completed = {
  provider_id: 'garak',
  id: 'probe_set',
  benchmark_index: 2,
  status: 'completed',
  started_at: '2026-12-07T03:00:00Z',
  completed_at: '2026-12-07T03:05:00.123+01:00',
  metrics: { accuracy: 0.75, per_task: { a: [1, 2, { b: null }] }, ok: true, note: 'x' },
  additional_info: { runtime_s: 12 },
  artifacts: { report: 'oci://r/x:1' },
  mlflow_run_id: 'abc',
  logs_path: '/tmp/x.log',
};
const everyday = [
  { benchmark_status_event: running },
  { benchmark_status_event: completed },
  { benchmark_status_event: { provider_id: 'p', id: 'b', status: 'pending' } },
  { benchmark_status_event: { ...running, status: 'failed' }, job_meta: { git: { sha: 'abc' } } },
];

/** Each everyday event with one field changed or added, in ways a client might get wrong. */
function variants(): unknown[] {
  const odd: unknown[] = [null, '', 'x', '1', -1, 1.5, 2, 0, true, [], {}, [1], { constructor: 1 }, '2026-13-01T00:00:00Z', '2026-12-07', Number.NaN, Number.POSITIVE_INFINITY];
  const fields = [...new Set([...Object.keys(running), ...Object.keys(completed), 'error_message', 'warning_message', 'metrics_schema', 'unknown_field'])];
  const out: unknown[] = [];
  for (const body of everyday) {
    for (const field of fields) {
      for (const value of odd) out.push({ ...body, benchmark_status_event: { ...body.benchmark_status_event, [field]: value } });
      const without: Record<string, unknown> = { ...body.benchmark_status_event };
      delete without[field];
      out.push({ ...body, benchmark_status_event: without });
    }
    for (const value of odd) out.push({ ...body, job_meta: value }, { ...body, extra: value }, { benchmark_status_event: value });
  }
  // Keys class-transformer does not copy, as JSON.parse makes them.
  out.push(JSON.parse('{"benchmark_status_event":{"provider_id":"p","id":"b","status":"running","metrics":{"__proto__":{"x":1}}}}'));
  out.push(JSON.parse('{"benchmark_status_event":{"provider_id":"p","id":"b","status":"running","__proto__":{"x":1}}}'));
  out.push(undefined, null, 'text', [everyday[0]]);
  return out;
}

describe('acceptStatusEvent', () => {
  it('takes the everyday events, as the pipe makes them', async () => {
    for (const body of everyday) {
      const taken = acceptStatusEvent(JSON.parse(JSON.stringify(body)));
      expect(taken).toBeInstanceOf(StatusEventDto);
      expect(taken).toStrictEqual(await viaPipe(JSON.parse(JSON.stringify(body))));
    }
  });

  it('never takes a body the pipe refuses, and what it takes equals the pipe\'s result', async () => {
    let taken = 0;
    let refusedByPipe = 0;
    for (const body of variants()) {
      const fast = acceptStatusEvent(body);
      const piped = await viaPipe(body);
      if (piped === 'refused') refusedByPipe++;
      if (fast === undefined) continue;
      taken++;
      expect({ body, result: fast }).toStrictEqual({ body, result: piped });
    }
    // Both sides of the comparison were exercised.
    expect(taken).toBeGreaterThan(50);
    expect(refusedByPipe).toBeGreaterThan(200);
  });
});
