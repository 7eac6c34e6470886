import { Job } from 'bullmq';
import { DomainError } from '../domain/errors';
import { JobRecord } from '../domain/types';
import { FinalizeJobProcessor } from './finalize-job.processor';

const record = {
  resource: { id: 'j1' },
  benchmarks: [{ id: 'a', provider_id: 'p' }],
  status: { state: 'running', benchmarks: [{ id: 'a', provider_id: 'p', benchmark_index: 0, status: 'running' }] },
} as unknown as JobRecord;

const autoRetry = { run: jest.fn() };
const finalize = (apply: jest.Mock) =>
  new FinalizeJobProcessor({ get: async () => record } as never, { apply } as never, autoRetry as never).process({ name: 'finalize-job', data: { jobId: 'j1' } } as Job);

describe('finalize-job: the job always reaches a terminal state', () => {
  it('fails the unfinished benchmark once Redis is back after a blip', async () => {
    const apply = jest.fn().mockRejectedValueOnce(new Error('Connection is closed.')).mockResolvedValue(record);
    await finalize(apply);
    expect(apply).toHaveBeenCalledTimes(2);
    expect(apply.mock.calls[1][1]).toMatchObject({ benchmark_index: 0, status: 'failed' });
  });

  it('rejects on any other error, so BullMQ retries the finaliser instead of dropping it', async () => {
    await expect(finalize(jest.fn().mockRejectedValue(new Error('boom')))).rejects.toThrow('boom');
  });

  it('hands a delayed automatic retry on the same queue to the retry service', async () => {
    const apply = jest.fn();
    const data = { jobId: 'j1', attempt: 1, indexes: [0] };
    await new FinalizeJobProcessor({ get: async () => record } as never, { apply } as never, autoRetry as never).process({ name: 'auto-retry', data } as Job);
    expect(autoRetry.run).toHaveBeenCalledWith(data);
    expect(apply).not.toHaveBeenCalled();
  });

  it('stops quietly when the job was cancelled meanwhile', async () => {
    const apply = jest.fn().mockRejectedValue(new DomainError('job_can_not_be_updated', 'cancelled'));
    await expect(finalize(apply)).resolves.toBeUndefined();
  });
});
