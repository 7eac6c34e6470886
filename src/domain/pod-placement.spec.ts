import { effectiveHardware, parseHardwareProfile, podPlacement } from './pod-placement';
import { hardwareConfigErrors, queueErrors, testDataRefErrors } from './pod-placement-checks';

describe('hardware_config and test_data_ref checks', () => {
  it.each([
    [{ cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '1.5Gi' }, gpu: { name: 'nvidia.com/gpu', count: 2 } }],
    [{ hardware_profile_name: 'gpu-large' }],
    [{ queue: { name: 'team-a.gpu', kind: 'kueue' } }],
  ])('accepts %j', (hw) => {
    expect(hardwareConfigErrors(hw, 'hw')).toEqual([]);
  });

  it.each([
    [{ cpu: { request: 'two' } }, 'hw.cpu.request must be a Kubernetes quantity'],
    [{ memory: '4Gi' }, 'hw.memory must be an object'],
    [{ gpu: { count: 0 } }, 'hw.gpu.count must be a whole number of at least 1'],
    [{ gpu: { count: 1.5 } }, 'hw.gpu.count must be a whole number'],
    [{ hardware_profile_name: 'p', cpu: { request: '1' } }, 'either hardware_profile_name or'],
    [{ queue: { name: 'Team_Queue' } }, 'hw.queue.name must be a Kubernetes name'],
    [{ queue: { name: 'q', kind: 'volcano' } }, "hw.queue.kind must be 'kueue'"],
  ])('rejects %j', (hw, message) => {
    expect(hardwareConfigErrors(hw, 'hw').join('; ')).toContain(message);
  });

  it('checks the deprecated job queue', () => {
    expect(queueErrors({ name: 'ok' }, 'queue')).toEqual([]);
    expect(queueErrors('ok', 'queue')).toEqual(['queue must be an object with a name']);
  });

  it.each([
    [{ s3: { bucket: 'b', key: 'data/x.jsonl', secret_ref: 's' } }, ''],
    [{ pvc: { claim_name: 'eval-data', sub_path: 'a/b' }, type: 'data_set' }, ''],
    [{ git: { url: 'https://github.com/o/r.git', ref: 'v1', secret_ref: 's' } }, ''],
    [{}, 'exactly one of s3, pvc or git'],
    [{ s3: { bucket: 'b' } }, 't.s3.key is required'],
    [{ pvc: { claim_name: 'x', sub_path: '../etc' } }, "without '..'"],
    [{ git: { url: 'ftp://h/r' } }, 'must be an http(s) URL'],
    [{ git: { url: 'http://localhost:8080/r' } }, 'local or link-local'],
    [{ git: { url: 'http://[::1]/r' } }, 'local or link-local'],
    [{ git: { url: 'http://git.corp/r', secret_ref: 's' } }, 'needs an https URL'],
    [{ pvc: { claim_name: 'x' }, type: 'other' }, 'type must be data_set or pre_recorded_data'],
  ])('test_data_ref %j', (ref, message) => {
    const errors = testDataRefErrors(ref, 't').join('; ');
    if (message) expect(errors).toContain(message);
    else expect(errors).toBe('');
  });
});

describe('pod placement', () => {
  const provider = { image: 'img', memory_limit: '4Gi', gpu: { count: 1, node_selector: { accelerator: 'a100' } } };

  it('uses the provider runtime, with the defaults filled in', () => {
    expect(podPlacement(provider, undefined, undefined, undefined)).toEqual({
      requests: { cpu: '250m', memory: '512Mi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '1', memory: '4Gi', 'nvidia.com/gpu': '1' },
      nodeSelector: { accelerator: 'a100' },
      tolerations: undefined,
      queueName: undefined,
      priorityClassName: undefined,
    });
  });

  it('lets the benchmark hardware_config win over the job one', () => {
    expect(effectiveHardware({ cpu: { request: '2' } }, { cpu: { request: '1' } })).toEqual({ cpu: { request: '2' } });
    expect(effectiveHardware({}, { cpu: { request: '1' } })).toEqual({ cpu: { request: '1' } });
    expect(effectiveHardware(undefined, undefined)).toBeUndefined();
  });

  it('applies inline settings field by field; a queue hands placement to Kueue', () => {
    const p = podPlacement(provider, { cpu: { limit: '3' }, gpu: { name: 'amd.com/gpu', count: 2 }, queue: { name: 'q1' } }, undefined, { name: 'legacy' });
    expect(p.requests).toEqual({ cpu: '250m', memory: '512Mi', 'amd.com/gpu': '2' });
    expect(p.limits).toEqual({ cpu: '3', memory: '4Gi', 'amd.com/gpu': '2' });
    expect(p.queueName).toBe('q1');
    expect(p.nodeSelector).toBeUndefined();
    // Without a hardware_config queue the deprecated job queue applies.
    expect(podPlacement(provider, undefined, undefined, { name: 'legacy' }).queueName).toBe('legacy');
  });

  it('reads a HardwareProfile: identifiers for resources, Node or Queue scheduling', () => {
    const queued = parseHardwareProfile({
      spec: {
        identifiers: [
          { identifier: 'cpu', resourceType: 'CPU', defaultCount: 2, maxCount: 4 },
          { identifier: 'memory', resourceType: 'Memory', defaultCount: '8Gi', maxCount: '16Gi' },
          { identifier: 'nvidia.com/gpu', resourceType: 'Accelerator', defaultCount: 1 },
        ],
        scheduling: { type: 'Queue', kueue: { localQueueName: 'gpu', priorityClass: 'None' } },
      },
    });
    expect(queued).toEqual({ cpuRequest: '2', cpuLimit: '4', memoryRequest: '8Gi', memoryLimit: '16Gi', gpuResource: 'nvidia.com/gpu', gpuCount: 1, scheduling: 'Queue', queueName: 'gpu', priorityClassName: undefined });
    const p = podPlacement(provider, { hardware_profile_name: 'x' }, queued, { name: 'legacy' });
    expect(p).toMatchObject({ requests: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '4', memory: '16Gi' }, queueName: 'gpu', nodeSelector: undefined });

    const node = parseHardwareProfile({
      spec: { scheduling: { type: 'Node', node: { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] } } },
    });
    const placed = podPlacement(provider, undefined, node, undefined);
    expect(placed.nodeSelector).toEqual({ pool: 'gpu' });
    expect(placed.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });
});
