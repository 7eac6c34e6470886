import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { startFakeModel, FakeModel } from '../support/fake-model';
import { FakeKube, startFakeKube } from '../support/fake-kube';
import { freePort, waitFor } from '../support/ports';
import { pythonEnv, venvBin } from '../support/python';
import { EvalHubService, ROOT, SILENT_ADAPTER } from '../support/service';
import { Registry } from '../support/registry';

const MODEL = { url: 'http://vllm.models.svc:8000/v1', name: 'granite' };

/**
 * The callback token the worker gave a benchmark's sidecar (in the ConfigMap it created): what
 * the sidecar adds to the adapter's events, so a test that plays the pod sends it too.
 */
async function sidecarToken(kube: FakeKube, jobId: string, index: number): Promise<string> {
  const cm = await waitFor(`ConfigMap of ${jobId}/${index}`, async () =>
    kube.configMaps().find((c: any) => c.metadata.labels.job_id === jobId && c.metadata.labels.benchmark_index === String(index)),
  );
  return JSON.parse(cm.data['sidecar_config.json']).eval_hub.callback_token;
}

/**
 * The Kubernetes Job runtime through the real @kubernetes/client-node (in the compiled worker and
 * API) against a fake API server that speaks the Kubernetes REST protocol.
 */
describe('Kubernetes Job runtime', () => {
  let kube: FakeKube;
  let svc: EvalHubService;
  let provider: string;

  const env = () => ({
    EVALHUB_RUNTIME: 'kubernetes',
    KUBECONFIG: kube.kubeconfigPath,
    K8S_NAMESPACE: 'evalhub',
    K8S_SIDECAR_IMAGE: 'quay.io/evalhub/evalhub-nest:test',
    K8S_UNSCHEDULABLE_SECONDS: '2',
    MAX_CONCURRENT_EVALUATIONS: '10',
    EVALHUB_HARDWARE_PROFILES_NAMESPACE: 'redhat-ods-applications',
  });

  beforeAll(async () => {
    kube = await startFakeKube({ forbiddenNamespaces: ['locked'] });
    svc = new EvalHubService(env());
    await svc.start();
    const res = await svc.request('POST', '/api/v1/evaluations/providers', {
      name: 'Adapter image',
      benchmarks: ['b0', 'b1', 'b2'].map((id) => ({ id, name: id, category: 'x', primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.5 } })),
      runtime: { k8s: { image: 'quay.io/evalhub/community-x:1', entrypoint: ['python', 'main.py'], memory_limit: '4Gi', env: [{ name: 'EXTRA', value: '1' }, { name: 'EVALHUB_MODE', value: 'hijack' }] } },
    });
    provider = res.body.resource.id;
  });
  afterAll(async () => {
    await svc?.stop();
    await kube?.close();
  });

  const submit = async (n = 1, extra: object = {}, headers: Record<string, string> = {}) => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'k8s', model: MODEL, benchmarks: Array.from({ length: n }, (_, i) => ({ id: `b${i}`, provider_id: provider, parameters: { num_examples: 5 } })), ...extra }, headers);
    expect(res.status).toBe(202);
    return res.body.resource.id as string;
  };
  const jobsOf = (id: string) => kube.jobs().filter((j: any) => j.metadata.labels.job_id === id);
  const event = async (id: string, index: number, status: string, extra: object = {}) =>
    svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, { benchmark_status_event: { provider_id: provider, id: `b${index}`, benchmark_index: index, status, ...extra } }, {
      'X-Tenant': 'evalhub',
      'X-EvalHub-Callback-Token': await sidecarToken(kube, id, index),
    });

  it('creates a ConfigMap and a Job per benchmark as §3.5 describes, and adapter events complete the job', async () => {
    const id = await submit(2);
    await waitFor('2 Jobs', async () => jobsOf(id).length === 2, 20000);
    const [job] = jobsOf(id).filter((j: any) => j.metadata.labels.benchmark_index === '0');
    expect(job.metadata.name).toBe(`evalhub-${id}-0-a1`);
    expect(job.metadata.namespace).toBe('evalhub');
    expect(job.metadata.labels).toMatchObject({ app: 'evalhub', component: 'evaluation-job', job_id: id, provider_id: provider, benchmark_id: 'b0', benchmark_index: '0', 'trustyai.opendatahub.io/evaluation-phase': 'Pending' });
    expect(job.metadata.annotations).toMatchObject({ 'eval-hub.github.io/job_id': id, 'eval-hub.github.io/provider_id': provider, 'eval-hub.github.io/benchmark_id': 'b0' });
    const spec = job.spec;
    expect(spec).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 3600 });
    expect(spec.template.spec).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'evalhub-job', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true } });
    const adapter = spec.template.spec.containers.find((c: any) => c.name === 'adapter');
    expect(adapter).toMatchObject({ image: 'quay.io/evalhub/community-x:1', command: ['python', 'main.py'], imagePullPolicy: 'IfNotPresent' });
    expect(adapter.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(adapter.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '4Gi' } });
    const envMap = Object.fromEntries(adapter.env.map((e: any) => [e.name, e.value]));
    expect(envMap).toMatchObject({ EVALHUB_MODE: 'k8s', EVALHUB_JOB_SPEC_PATH: '/meta/job.json', EXTRA: '1' });
    expect(adapter.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/meta/job.json', '/data', '/shared', '/var/run/secrets/kubernetes.io/serviceaccount']));
    const sidecar = spec.template.spec.initContainers.find((c: any) => c.name === 'sidecar');
    expect(sidecar).toMatchObject({ image: 'quay.io/evalhub/evalhub-nest:test', restartPolicy: 'Always', command: ['node', 'dist/sidecar.js'] });

    const cm = kube.configMaps().find((c: any) => c.metadata.name === `${job.metadata.name}-spec`);
    const jobSpec = JSON.parse(cm.data['job.json']);
    expect(jobSpec).toMatchObject({ id, provider_id: provider, benchmark_id: 'b0', benchmark_index: 0, num_examples: 5, callback_url: 'http://localhost:8080', model: { url: 'http://localhost:8080/v1', name: 'granite' } });
    expect(JSON.parse(cm.data['sidecar_config.json'])).toMatchObject({ eval_hub: { base_url: svc.baseUrl }, model: { url: MODEL.url } });

    // Both running benchmarks are followed through one shared watch per kind in the namespace,
    // not one each, and nobody relists them per benchmark.
    const benchmarkWatches = () => kube.openWatches().filter((w: any) => w.ns === 'evalhub');
    await waitFor('the namespace informer', async () => benchmarkWatches().length === 2, 10000);
    expect(benchmarkWatches().sort((a: any, b: any) => a.kind.localeCompare(b.kind))).toEqual([
      { kind: 'jobs', ns: 'evalhub', selector: 'app=evalhub,component=evaluation-job' },
      { kind: 'pods', ns: 'evalhub', selector: 'app=evalhub,component=evaluation-job' },
    ]);
    const perBenchmarkReads = kube.requests.filter((r: any) => r.method === 'GET' && /\/namespaces\/evalhub\/(pods|jobs)/.test(r.path) && String(r.query.labelSelector ?? '').includes(id));
    expect(perBenchmarkReads).toEqual([]);

    for (const i of [0, 1]) {
      expect((await event(id, i, 'running', { phase: 'running_evaluation' })).status).toBe(204);
      expect((await event(id, i, 'completed', { metrics: { acc: 0.9 } })).status).toBe(204);
    }
    const done = await svc.waitForState(id, ['completed', 'failed', 'partially_failed']);
    expect(done.status.state).toBe('completed');
    expect(done.results.test.pass).toBe(true);
    // With nothing left running in the namespace, its watches close.
    await waitFor('the informer to stop', async () => benchmarkWatches().length === 0, 10000);
  });

  const failures: [string, (job: string) => void, RegExp, string][] = [
    ['OOMKilled', (j) => kube.terminate(j, 'OOMKilled', 137), /OOMKilled/, 'runtime_oom_killed'],
    ['image pull failure', (j) => kube.imagePullBackOff(j), /ImagePullBackOff.*community-x:1/, 'runtime_image_pull'],
    ['crash', (j) => kube.terminate(j, 'Error', 2), /exited with code 2/, 'runtime_crash'],
    ['deadline exceeded', (j) => kube.deadlineExceeded(j), /deadline/i, 'runtime_deadline_exceeded'],
    ['unschedulable pod', (j) => kube.unschedulable(j), /could not be scheduled.*Insufficient nvidia.com\/gpu/, 'runtime_unschedulable'],
    ['deleted pod', (j) => kube.deletePod(j), /pod was deleted/, 'runtime_pod_deleted'],
    ['success without a terminal event', (j) => kube.succeed(j), /never reported a terminal status/, 'runtime_succeeded_without_result'],
  ];

  it.each(failures)('%s marks the benchmark failed with the cause within 10 s', async (_, cause, text, code) => {
    const id = await submit(1);
    const job = await waitFor('pod running', async () => {
      const j = jobsOf(id)[0];
      return j && kube.podsOf(j.metadata.name).some((p: any) => p.status.phase === 'Running') ? j : undefined;
    }, 20000);
    await event(id, 0, 'running', { phase: 'running_evaluation' });
    const t0 = Date.now();
    cause(job.metadata.name);
    const done = await svc.waitForState(id, ['failed', 'completed'], 15000);
    const elapsed = Date.now() - t0;
    expect(done.status.state).toBe('failed');
    expect(done.status.benchmarks[0].error_message.message).toMatch(text);
    expect(done.status.benchmarks[0].error_message.message_code).toBe(code);
    // Unschedulable waits K8S_UNSCHEDULABLE_SECONDS (2 s here) before it counts.
    expect(elapsed).toBeLessThan(10000);
  });

  it('a failure while the watches are down (the API server ended them) is found by the relist that follows', async () => {
    const id = await submit(1);
    const job = await waitFor('pod running', async () => {
      const j = jobsOf(id)[0];
      return j && kube.podsOf(j.metadata.name).some((p: any) => p.status.phase === 'Running') ? j : undefined;
    }, 20000);
    await waitFor('the namespace informer', async () => kube.openWatches().filter((w: any) => w.ns === 'evalhub').length === 2, 10000);
    kube.endWatches();
    kube.terminate(job.metadata.name, 'OOMKilled', 137); // no watch is open to see this
    const done = await svc.waitForState(id, ['failed', 'completed'], 15000);
    expect(done.status.benchmarks[0].error_message.message_code).toBe('runtime_oom_killed');
  });

  it('fails the benchmark with the reason when Kubernetes refuses the Job (403)', async () => {
    const locked = await svc.request(
      'POST',
      '/api/v1/evaluations/providers',
      { name: 'Locked', benchmarks: [{ id: 'b0', name: 'b0', category: 'x' }], runtime: { k8s: { image: 'img:1' } } },
      { 'X-Tenant': 'locked' },
    );
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'k8s', model: MODEL, benchmarks: [{ id: 'b0', provider_id: locked.body.resource.id }] }, { 'X-Tenant': 'locked' });
    const id = res.body.resource.id;
    const done = await svc.waitForState(id, ['failed'], 20000, { 'X-Tenant': 'locked' });
    expect(done.status.benchmarks[0].error_message.message).toMatch(/forbidden/i);
  });

  it('cancel removes the Jobs and ConfigMaps of the job', async () => {
    const id = await submit(2);
    await waitFor('Jobs created', async () => jobsOf(id).length === 2, 20000);
    const cancelled = await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`);
    expect({ status: cancelled.status, body: cancelled.body }).toEqual({ status: 204, body: '' });
    await waitFor('Jobs and ConfigMaps gone', async () => jobsOf(id).length === 0 && !kube.configMaps().some((c: any) => c.metadata.labels.job_id === id), 10000);
    expect(kube.pods().some((p: any) => p.metadata.labels.job_id === id)).toBe(false);
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.state).toBe('cancelled');
  });

  it('serves pod logs through the logs endpoints', async () => {
    const id = await submit(1);
    const job = await waitFor('pod', async () => {
      const j = jobsOf(id)[0];
      return j && kube.podsOf(j.metadata.name).length ? j : undefined;
    }, 20000);
    const pod = kube.podsOf(job.metadata.name)[0];
    kube.setLogs(pod.metadata.name, 'loading data\nscoring 5 examples\ndone\n');
    const all = await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs`);
    expect(all.text).toContain(`=== pod=${pod.metadata.name} container=adapter benchmark_id=b0 ===`);
    expect(all.text).toContain('scoring 5 examples');
    const tail = await svc.request('GET', `/api/v1/evaluations/jobs/${id}/benchmarks/0/logs?tail_lines=1&timestamps=true`);
    expect(tail.text.trim()).toMatch(/^\d{4}-\d\d-\d\dT\S+ done$/);
    await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`);
  });

  it('a worker restarted mid-run adopts its Job (no duplicate) and catches failures that happened while it was down', async () => {
    const id = await submit(1);
    const job = await waitFor('pod running', async () => {
      const j = jobsOf(id)[0];
      return j && kube.podsOf(j.metadata.name).some((p: any) => p.status.phase === 'Running') ? j : undefined;
    }, 20000);
    await svc.stopProcess(svc.worker, 'SIGKILL');
    kube.terminate(job.metadata.name, 'OOMKilled', 137);
    const creates = () => kube.requests.filter((r: any) => r.method === 'POST' && r.path.endsWith('/jobs')).length;
    const before = creates();
    await svc.startWorker();
    const done = await svc.waitForState(id, ['failed', 'completed'], 30000);
    expect(done.status.benchmarks[0].error_message.message).toMatch(/OOMKilled/);
    expect(jobsOf(id)).toHaveLength(1);
    // The retried worker asked to create the same Job, got 409 and adopted it.
    expect(jobsOf(id)[0].metadata.uid).toBe(job.metadata.uid);
    expect(creates()).toBeGreaterThan(before);
  });

  it('sizes and places pods from a HardwareProfile, an inline hardware_config or a Kueue queue', async () => {
    kube.addHardwareProfile('redhat-ods-applications', 'gpu-large', {
      identifiers: [
        { identifier: 'cpu', resourceType: 'CPU', defaultCount: '4', maxCount: '8' },
        { identifier: 'memory', resourceType: 'Memory', defaultCount: '16Gi', maxCount: '32Gi' },
        { identifier: 'nvidia.com/gpu', resourceType: 'Accelerator', defaultCount: 2 },
      ],
      scheduling: { type: 'Queue', kueue: { localQueueName: 'gpu-queue', priorityClass: 'high' } },
    });
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'placed',
      model: MODEL,
      queue: { name: 'team-queue' },
      benchmarks: [
        { id: 'b0', provider_id: provider, hardware_config: { hardware_profile_name: 'gpu-large' } },
        { id: 'b1', provider_id: provider, hardware_config: { cpu: { request: '2', limit: '3' }, memory: { limit: '6Gi' }, gpu: { name: 'amd.com/gpu', count: 1 } } },
      ],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    await waitFor('2 Jobs', async () => jobsOf(id).length === 2, 20000);
    const byIndex = (i: number) => jobsOf(id).find((j: any) => j.metadata.labels.benchmark_index === String(i));
    const adapterOf = (j: any) => j.spec.template.spec.containers.find((c: any) => c.name === 'adapter');
    // From the profile: its resources, its Kueue queue and priority.
    expect(adapterOf(byIndex(0)).resources).toEqual({ requests: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '2' }, limits: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '2' } });
    expect(byIndex(0).metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'gpu-queue', 'kueue.x-k8s.io/priority-class': 'high' });
    // Inline: overrides the provider's defaults field by field; the job's (deprecated) queue applies.
    expect(adapterOf(byIndex(1)).resources).toEqual({ requests: { cpu: '2', memory: '512Mi', 'amd.com/gpu': '1' }, limits: { cpu: '3', memory: '6Gi', 'amd.com/gpu': '1' } });
    expect(byIndex(1).metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-queue');
    expect(byIndex(1).spec.template.spec.nodeSelector).toBeUndefined();
    for (const i of [0, 1]) expect((await event(id, i, 'completed', { metrics: { acc: 0.7 } })).status).toBe(204);
    expect((await svc.waitForState(id, ['completed'], 10000)).status.state).toBe('completed');
  });

  it('refuses at submit a HardwareProfile that does not exist (404) or is disabled (400)', async () => {
    kube.addHardwareProfile('redhat-ods-applications', 'retired', { identifiers: [] }, { 'opendatahub.io/disabled': 'true' });
    const submitWith = (profile: string) =>
      svc.request('POST', '/api/v1/evaluations/jobs', { name: 'p', model: MODEL, benchmarks: [{ id: 'b0', provider_id: provider }], hardware_config: { hardware_profile_name: profile } });
    const missing = await submitWith('no-such-profile');
    expect({ status: missing.status, code: missing.body.message_code }).toEqual({ status: 404, code: 'hardware_profile_not_found' });
    expect(missing.body.message).toMatch(/HardwareProfile 'no-such-profile' does not exist in namespace redhat-ods-applications/);
    const disabled = await submitWith('retired');
    expect({ status: disabled.status, code: disabled.body.message_code }).toEqual({ status: 400, code: 'hardware_profile_disabled' });
  });

  it('rejects a malformed hardware_config or test_data_ref at submit with 400', async () => {
    const bad = async (b: object) => svc.request('POST', '/api/v1/evaluations/jobs', { name: 'bad', model: MODEL, benchmarks: [{ id: 'b0', provider_id: provider, ...b }] });
    for (const [body, text] of [
      [{ hardware_config: { cpu: { request: 'lots' } } }, /hardware_config.cpu.request must be a Kubernetes quantity/],
      [{ hardware_config: { hardware_profile_name: 'p', gpu: { count: 1 } } }, /either hardware_profile_name or queue\/cpu\/memory\/gpu/],
      [{ test_data_ref: { pvc: { claim_name: 'Data_Claim' } } }, /pvc.claim_name must be a Kubernetes name/],
      [{ test_data_ref: { git: { url: 'http://169.254.169.254/latest' } } }, /must not point to a local or link-local address/],
      [{ test_data_ref: { s3: { bucket: 'b', key: 'k' }, pvc: { claim_name: 'c' } } }, /exactly one of s3, pvc or git/],
    ] as const) {
      const res = await bad(body);
      expect(res.status).toBe(400);
      expect(res.body.message_code).toBe('request_validation_failed');
      expect(res.body.message).toMatch(text);
    }
  });

  it('mounts test data (PVC read-only, or S3/git through the init container) and the OCI credentials', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'data',
      model: MODEL,
      exports: { oci: { coordinates: { oci_host: 'quay.io', oci_repository: 'org/cards' }, k8s: { connection: 'quay-push' } } },
      benchmarks: [
        { id: 'b0', provider_id: provider, test_data_ref: { pvc: { claim_name: 'eval-data', sub_path: 'sets/b0' } } },
        { id: 'b1', provider_id: provider, test_data_ref: { git: { url: 'https://github.com/org/data.git', ref: 'main', sub_path: 'b1', secret_ref: 'git-creds' } } },
      ],
    });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    await waitFor('2 Jobs', async () => jobsOf(id).length === 2, 20000);
    const podOf = (i: number) => jobsOf(id).find((j: any) => j.metadata.labels.benchmark_index === String(i)).spec.template.spec;
    const mount = (spec: any, container: string, at: string) => [...spec.initContainers, ...spec.containers].find((c: any) => c.name === container).volumeMounts.find((m: any) => m.mountPath === at);
    const pvcPod = podOf(0);
    expect(pvcPod.volumes).toEqual(expect.arrayContaining([{ name: 'test-data', persistentVolumeClaim: { claimName: 'eval-data', readOnly: true } }]));
    expect(mount(pvcPod, 'adapter', '/test_data')).toEqual({ name: 'test-data', mountPath: '/test_data', readOnly: true, subPath: 'sets/b0' });
    const gitPod = podOf(1);
    expect(gitPod.initContainers.map((c: any) => c.name)).toEqual(['init', 'sidecar']);
    expect(gitPod.initContainers[0].env).toEqual(expect.arrayContaining([{ name: 'TEST_DATA_GIT_URL', value: 'https://github.com/org/data.git' }, { name: 'TEST_DATA_GIT_REF', value: 'main' }]));
    expect(mount(gitPod, 'init', '/var/run/secrets/test-data')).toBeDefined();
    expect(mount(gitPod, 'adapter', '/var/run/secrets/test-data')).toBeUndefined();
    expect(mount(gitPod, 'adapter', '/etc/evalhub/.docker')).toMatchObject({ readOnly: true });
    expect(gitPod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'OCI_AUTH_CONFIG_PATH', value: '/etc/evalhub/.docker/config.json' }]));
    expect(gitPod.volumes).toEqual(expect.arrayContaining([{ name: 'oci-auth', secret: { secretName: 'quay-push', items: [{ key: '.dockerconfigjson', path: 'config.json' }] } }]));
    // The JobSpec carries the OCI coordinates only, never the connection secret.
    const spec = JSON.parse(kube.configMaps().find((c: any) => c.metadata.name === `evalhub-${id}-1-a1-spec`).data['job.json']);
    expect(spec.exports).toEqual({ oci: { coordinates: { oci_host: 'quay.io', oci_repository: 'org/cards' } } });
    // The sidecar pushes for the adapter (SDK k8s mode) with that Secret, to that repository only.
    const sidecarConfig = JSON.parse(kube.configMaps().find((c: any) => c.metadata.name === `evalhub-${id}-1-a1-spec`).data['sidecar_config.json']);
    expect(sidecarConfig.oci).toEqual({ host: 'quay.io', repository: 'org/cards', auth_config_path: '/etc/evalhub/.docker/config.json' });
    expect(mount(gitPod, 'sidecar', '/etc/evalhub/.docker')).toMatchObject({ readOnly: true });
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
  });

  it('the Roles in deploy/ grant exactly the verbs the executor, watcher and API used', async () => {
    // One job through every path that reaches the API server: a HardwareProfile looked up, the
    // Job and ConfigMap created, pods and Jobs listed and watched, pod logs read, cancel.
    kube.addHardwareProfile('redhat-ods-applications', 'rbac-probe', { identifiers: [{ identifier: 'cpu', resourceType: 'CPU', defaultCount: '1' }] });
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'rbac', model: MODEL, benchmarks: [{ id: 'b0', provider_id: provider, hardware_config: { hardware_profile_name: 'rbac-probe' } }] });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const job = await waitFor('pod running', async () => {
      const j = jobsOf(id)[0];
      return j && kube.podsOf(j.metadata.name).some((p: any) => p.status.phase === 'Running') ? j : undefined;
    }, 20000);
    const watched = (kind: string) => kube.requests.some((r: any) => r.query.watch === 'true' && r.path === `${kind === 'pods' ? '/api/v1' : '/apis/batch/v1'}/namespaces/evalhub/${kind}`);
    await waitFor('the namespace informer', async () => watched('pods') && watched('jobs'), 10000);
    kube.setLogs(kube.podsOf(job.metadata.name)[0].metadata.name, 'probe\n');
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs`)).text).toContain('probe');
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    await waitFor('Jobs gone', async () => jobsOf(id).length === 0, 10000);

    const used = new Set<string>();
    // Everything asked so far (this job's requests at least; the informer may predate it).
    for (const r of kube.requests) {
      const m = /^\/(?:api\/v1|apis\/batch\/v1|apis\/infrastructure\.opendatahub\.io\/v1)\/namespaces\/[^/]+\/(jobs|configmaps|pods|hardwareprofiles)(?:\/([^/]+))?(\/log)?$/.exec(r.path);
      if (!m) continue;
      const resource = m[3] ? 'pods/log' : m[1];
      const verb =
        r.method === 'POST' ? 'create' : r.method === 'DELETE' ? (m[2] ? 'delete' : 'deletecollection') : m[2] ? 'get' : r.query.watch === 'true' ? 'watch' : 'list';
      used.add(`${resource}:${verb}`);
    }
    const rbac = ['base/rbac.yaml', 'overlays/openshift/hardware-profiles-rbac.yaml'].flatMap((f) =>
      YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, 'deploy', 'k8s', f), 'utf8')).map((d) => d.toJSON()),
    );
    const granted = new Set<string>(
      rbac.filter((d) => d.kind === 'Role').flatMap((role) => role.rules.flatMap((rule: any) => rule.resources.flatMap((res: string) => rule.verbs.map((v: string) => `${res}:${v}`)))),
    );
    expect([...used].sort()).toEqual([...granted].sort());
  });
});

describe('sidecar', () => {
  let fake: FakeModel;
  let registry: Registry;
  let registryHost: string;
  let svc: EvalHubService;
  let sidecar: ChildProcess;
  let port: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evalhub-sidecar-'));

  beforeAll(async () => {
    fake = await startFakeModel();
    // The real distribution registry with token auth: a push needs the bearer handshake.
    registry = await new Registry({ kind: 'token', user: 'robot', password: 'push-secret' }).start();
    registryHost = registry.host;
    svc = new EvalHubService();
    await svc.start();
    port = await freePort();
    // The exports.oci.k8s.connection Secret as mounted: a docker config with the robot account.
    fs.writeFileSync(path.join(dir, 'dockerconfig.json'), JSON.stringify({ auths: { [registryHost]: { auth: Buffer.from('robot:push-secret').toString('base64') } } }));
    fs.writeFileSync(path.join(dir, 'token'), 'pod-token');
    fs.writeFileSync(path.join(dir, 'namespace'), 'team-a');
    fs.mkdirSync(path.join(dir, 'model'));
    fs.writeFileSync(path.join(dir, 'model', 'api-key'), 'sk-real');
    fs.writeFileSync(
      path.join(dir, 'sidecar_config.json'),
      JSON.stringify({
        port,
        eval_hub: { base_url: svc.baseUrl, token_path: path.join(dir, 'token') },
        model: { url: fake.url, auth_secret_mount_path: path.join(dir, 'model') },
        oci: { host: registryHost, repository: 'org/eval-results', auth_config_path: path.join(dir, 'dockerconfig.json'), insecure: true },
      }),
    );
    sidecar = spawn(process.execPath, [path.join(ROOT, 'dist', 'sidecar.js')], { env: { ...process.env, SIDECAR_CONFIG: path.join(dir, 'sidecar_config.json'), POD_NAMESPACE_FILE: path.join(dir, 'namespace') }, stdio: 'ignore' });
    await waitFor('sidecar', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 10000);
  });
  afterAll(async () => {
    sidecar?.kill();
    await svc?.stop();
    await fake?.close();
    await registry?.stop();
  });

  it("pushes the SDK's OCI artifact through the sidecar, which does the registry's token handshake; other repositories are refused", async () => {
    const files = path.join(dir, 'results');
    fs.mkdirSync(files, { recursive: true });
    fs.writeFileSync(path.join(files, 'results.json'), JSON.stringify({ acc: 0.7 }));
    // Asynchronously: the registry's token service answers from this process.
    const push = (repo: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(venvBin('python'), [path.join(ROOT, 'test', 'compat', 'oci_push.py'), `127.0.0.1:${port}`, registryHost, repo, files, 'job-123'], { env: pythonEnv() });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('close', (code) => resolve({ code, out }));
      });
    const ok = await push('org/eval-results');
    if (ok.code !== 0) throw new Error(ok.out);
    const pushed = JSON.parse(ok.out.trim().split('\n').pop()!);
    expect(pushed.reference).toMatch(new RegExp(`^${registryHost}/org/eval-results:evalhub-[0-9a-f]{64}@sha256:`));
    const tag = pushed.reference.split(':')[2].split('@')[0];
    const pulled = await registry.get(`/v2/org/eval-results/manifests/${tag}`, 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json');
    expect(pulled.status).toBe(200);
    expect(pulled.headers.get('docker-content-digest')).toBe(pushed.digest);
    const manifest = JSON.parse(await pulled.text());
    expect(manifest.annotations).toMatchObject({ team: 'evals' });
    for (const layer of manifest.layers) expect((await registry.get(`/v2/org/eval-results/blobs/${layer.digest}`)).status).toBe(200);
    // The adapter sent no credentials: the sidecar got the token with the robot account, for this repository.
    expect(registry.tokenRequests.some((t) => /^repository:org\/eval-results:.*push/.test(t.scope ?? '') && t.authorization === `Basic ${Buffer.from('robot:push-secret').toString('base64')}`)).toBe(true);

    // The credentials serve the export repository only.
    const denied = await fetch(`http://127.0.0.1:${port}/v2/someone/else/blobs/uploads/`, { method: 'POST' });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).errors[0].code).toBe('DENIED');
  });

  it("forwards adapter callbacks to EvalHub with the pod tenant and the run's callback token, and model calls with the real key", async () => {
    const silent = await svc.request(
      'POST',
      '/api/v1/evaluations/providers',
      { name: 'Silent', benchmarks: [{ id: 'b0', name: 'b0', category: 'x' }], runtime: { local: { command: SILENT_ADAPTER } } },
      { 'X-Tenant': 'team-a' },
    );
    const pid = silent.body.resource.id;
    const job = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 's', model: { url: fake.url, name: 'fake-model' }, benchmarks: [{ id: 'b0', provider_id: pid }] }, { 'X-Tenant': 'team-a' });
    const id = job.body.resource.id;
    // This run's token, as the worker would have put it into the pod's sidecar_config.json.
    const token = (await svc.callbackUrl(id, 0)).split('/cb/')[1];
    const cfgPath = path.join(dir, 'sidecar_config.json');
    const withToken = path.join(dir, 'sidecar_config_token.json');
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
    const port2 = await freePort();
    fs.writeFileSync(withToken, JSON.stringify({ ...cfg, port: port2, eval_hub: { ...cfg.eval_hub, callback_token: token } }));
    const sidecar2 = spawn(process.execPath, [path.join(ROOT, 'dist', 'sidecar.js')], { env: { ...process.env, SIDECAR_CONFIG: withToken, POD_NAMESPACE_FILE: path.join(dir, 'namespace') }, stdio: 'ignore' });
    try {
      await waitFor('sidecar with token', async () => (await fetch(`http://127.0.0.1:${port2}/health`)).ok, 10000);
      const body = JSON.stringify({ benchmark_status_event: { provider_id: pid, id: 'b0', benchmark_index: 0, status: 'running' } });
      // The adapter sends no credential of its own; without a token the sidecar's call is refused.
      const bare = await fetch(`http://127.0.0.1:${port}/api/v1/evaluations/jobs/${id}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(bare.status).toBe(401);
      const ev = await fetch(`http://127.0.0.1:${port2}/api/v1/evaluations/jobs/${id}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(ev.status).toBe(204);
    } finally {
      sidecar2.kill();
    }
    const seen = await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-Tenant': 'team-a' });
    expect(seen.body.status.state).toBe('running');

    const completion = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer api-key:ref' },
      body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(completion.status).toBe(200);
    expect(((await completion.json()) as any).object).toBe('chat.completion');
    expect(fake.requests[fake.requests.length - 1].authorization).toBe('Bearer sk-real');
  });
});

describe('MAX_CONCURRENT_EVALUATIONS with Kubernetes Jobs', () => {
  let kube: FakeKube;
  let svc: EvalHubService;

  beforeAll(async () => {
    kube = await startFakeKube();
    svc = new EvalHubService({ EVALHUB_RUNTIME: 'kubernetes', KUBECONFIG: kube.kubeconfigPath, K8S_NAMESPACE: 'evalhub', MAX_CONCURRENT_EVALUATIONS: '1' });
    await svc.start();
  });
  afterAll(async () => {
    await svc?.stop();
    await kube?.close();
  });

  it('counts running Jobs: the second benchmark waits until the first is done', async () => {
    const provider = (
      await svc.request('POST', '/api/v1/evaluations/providers', {
        name: 'Adapter image',
        benchmarks: [{ id: 'b0', name: 'b0', category: 'x' }, { id: 'b1', name: 'b1', category: 'x' }],
        runtime: { k8s: { image: 'img:1' } },
      })
    ).body.resource.id;
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'two',
      model: MODEL,
      benchmarks: [{ id: 'b0', provider_id: provider }, { id: 'b1', provider_id: provider }],
    });
    const id = res.body.resource.id;
    const jobs = () => kube.jobs().filter((j: any) => j.metadata.labels.job_id === id);
    await waitFor('first Job', async () => jobs().length === 1, 20000);
    // The other benchmark is held back in the queue (not merely slower to start).
    await waitFor('second benchmark queued', async () => (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body.status.benchmarks.some((b: any) => b.queue_position === 1), 20000);
    expect(jobs()).toHaveLength(1);
    const first = jobs()[0].metadata.labels.benchmark_index;
    const ev = async (i: number, status: string) =>
      svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, { benchmark_status_event: { provider_id: provider, id: `b${i}`, benchmark_index: i, status, ...(status === 'completed' ? { metrics: { acc: 1 } } : {}) } }, {
        'X-EvalHub-Callback-Token': await sidecarToken(kube, id, i),
      });
    expect((await ev(Number(first), 'completed')).status).toBe(204);
    await waitFor('second Job', async () => jobs().length === 2, 20000);
    expect((await ev(1 - Number(first), 'completed')).status).toBe(204);
    expect((await svc.waitForState(id, ['completed'])).status.state).toBe('completed');
  });
});

/** AUTH_MODE=kubernetes: the caller's own token, checked as kube-rbac-proxy checks it. */
describe('authentication with TokenReview and SubjectAccessReview', () => {
  let kube: FakeKube;
  let svc: EvalHubService;
  const group = 'trustyai.opendatahub.io';

  beforeAll(async () => {
    kube = await startFakeKube({
      users: { 'alice-sa-token': { username: 'alice', groups: ['team-a-devs'] }, 'vic-token': { username: 'vic' }, 'root-token': { username: 'ops', groups: ['evalhub-admins'] } },
      grants: [
        { groupName: 'team-a-devs', namespace: 'team-a', group, resources: ['evaluationjobs', 'providers', 'collections'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
        { user: 'vic', namespace: 'team-a', group, resources: ['evaluationjobs'], verbs: ['get', 'list'] },
      ],
    });
    svc = new EvalHubService({ TENANCY_MODE: 'cluster', AUTH_MODE: 'kubernetes', KUBECONFIG: kube.kubeconfigPath });
    await svc.start({ worker: false });
  });
  afterAll(async () => {
    await svc?.stop();
    await kube?.close();
  });

  it('authenticates the token, authorizes the verb in the tenant namespace, and takes the user from the review', async () => {
    const as = (token: string, tenant = 'team-a') => ({ Authorization: `Bearer ${token}`, 'X-Tenant': tenant });
    const body = { name: 'k', model: MODEL, benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] };
    const sub = await svc.request('POST', '/api/v1/evaluations/jobs', body, { ...as('alice-sa-token'), 'X-User': 'mallory' });
    expect(sub.status).toBe(202);
    expect(sub.body.resource).toMatchObject({ tenant: 'team-a', owner: 'alice' });
    expect((await svc.request('GET', '/api/v1/evaluations/jobs', undefined, as('vic-token'))).body.total_count).toBe(1);
    const vicSubmits = await svc.request('POST', '/api/v1/evaluations/jobs', body, as('vic-token'));
    expect([vicSubmits.status, vicSubmits.body.message_code]).toEqual([403, 'forbidden']);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs', undefined, as('alice-sa-token', 'team-b'))).status).toBe(403);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs', undefined, as('stolen'))).status).toBe(401);
    // An admin group member may give a provider a command; a tenant member may not.
    const shell = { name: 'S', benchmarks: [{ id: 'b', name: 'b', category: 'x' }], runtime: { local: { command: 'id' } } };
    expect((await svc.request('POST', '/api/v1/evaluations/providers', shell, as('alice-sa-token'))).status).toBe(403);
    expect((await svc.request('POST', '/api/v1/evaluations/providers', shell, as('root-token'))).status).toBe(201);
    const sar = kube.reviews.filter((r: any) => r.kind === 'SubjectAccessReview');
    expect(sar).toContainEqual(expect.objectContaining({ user: 'alice', namespace: 'team-a', group, resource: 'evaluationjobs', verb: 'create', allowed: true }));
    expect(sar).toContainEqual(expect.objectContaining({ user: 'vic', verb: 'create', allowed: false }));
  });
});
