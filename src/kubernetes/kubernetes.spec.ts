import { loadConfig } from '../core/config/app-config';
import { JobRecord, ProviderRecord } from '../domain/types';
import { benchmarkJobName, buildBenchmarkResources, labelValue, selectorFor } from './job-manifest';
import { diagnose } from './pod-diagnosis';

const cfg = loadConfig({ K8S_NAMESPACE: 'evalhub', MLFLOW_TRACKING_URI: 'http://mlflow:5000' });

describe('job manifests', () => {
  const job: JobRecord = {
    resource: { id: '0f8fad5b-d9cb-469f-a165-70867728950e', tenant: 'team-a' },
    config: { name: 'j', model: { url: 'https://vllm.example:8443/v1', name: 'm', auth: { secret_ref: 'model-key' } }, experiment: { name: 'e' } },
    benchmarks: [{ id: 'MMLU_Pro/Math', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 3, num_few_shot: 5 } }],
    status: { state: 'pending', message: null, benchmarks: [] },
    results: {},
  };
  const provider: ProviderRecord = {
    resource: { id: 'lm_evaluation_harness' },
    name: 'lm',
    title: '',
    benchmarks: [],
    runtime: { k8s: { image: 'img:1', entrypoint: ['python', 'main.py'], image_pull_policy: 'always', gpu: { count: 1, node_selector: { gpu: 'a100' } } } },
  };

  it('names and labels stay within Kubernetes rules', () => {
    expect(benchmarkJobName(job.resource.id, 0, 2)).toBe('evalhub-0f8fad5b-d9cb-469f-a165-70867728950e-0-a2');
    expect(labelValue('MMLU_Pro/Math')).toBe('mmlu_pro-math');
    expect(labelValue('_x_')).toBe('x');
    expect(labelValue('a'.repeat(80))).toHaveLength(63);
    expect(selectorFor('abc', 1)).toBe('app=evalhub,component=evaluation-job,job_id=abc,benchmark_index=1');
  });

  it('routes the adapter through the sidecar and keeps the real targets in the sidecar config', () => {
    const r = buildBenchmarkResources(job, 0, provider, cfg, 'team-a', 1);
    const spec = JSON.parse(r.configMap.data!['job.json']);
    expect(spec).toMatchObject({ model: { url: 'http://localhost:8080/v1' }, callback_url: 'http://localhost:8080', num_examples: 3, parameters: { num_few_shot: 5 }, experiment_name: 'e' });
    const side = JSON.parse(r.configMap.data!['sidecar_config.json']);
    expect(side).toMatchObject({ model: { url: 'https://vllm.example:8443/v1' }, mlflow: { tracking_uri: 'http://mlflow:5000', workspace: 'team-a' } });
    const pod = r.job.spec!.template.spec!;
    const adapter = pod.containers[0];
    expect(adapter.imagePullPolicy).toBe('Always');
    expect(adapter.resources!.limits!['nvidia.com/gpu']).toBe('1');
    expect(pod.nodeSelector).toEqual({ gpu: 'a100' });
    expect(adapter.env).toEqual(expect.arrayContaining([{ name: 'MLFLOW_TRACKING_URI', value: 'http://localhost:8080' }, { name: 'MLFLOW_WORKSPACE', value: 'team-a' }]));
    // The model key is mounted for the sidecar only.
    expect(pod.initContainers![0].volumeMounts!.some((m) => m.mountPath === '/var/run/secrets/model')).toBe(true);
    expect(adapter.volumeMounts!.some((m) => m.mountPath === '/var/run/secrets/model')).toBe(false);
    expect(r.job.metadata!.labels!.benchmark_id).toBe('mmlu_pro-math');
  });

  it('gives the sidecar (only) the MLflow token and CA bundle, and the adapter the tenant workspace', () => {
    const tls = loadConfig({ K8S_NAMESPACE: 'evalhub', MLFLOW_TRACKING_URI: 'https://mlflow.example', MLFLOW_CA_CERT_PATH: __filename, MLFLOW_WORKSPACE: 'evalhub' });
    const r = buildBenchmarkResources(job, 0, provider, tls, 'team-a', 1);
    const side = JSON.parse(r.configMap.data!['sidecar_config.json']);
    expect(side.mlflow).toEqual({ tracking_uri: 'https://mlflow.example', workspace: 'team-a', token_path: '/var/run/secrets/mlflow/token', ca_cert_path: '/etc/evalhub/mlflow-ca/ca-bundle.crt' });
    const pod = r.job.spec!.template.spec!;
    const mounts = (name: string) => [...pod.initContainers!, ...pod.containers].find((c) => c.name === name)!.volumeMounts!.map((m) => m.mountPath);
    expect(mounts('sidecar')).toEqual(expect.arrayContaining(['/var/run/secrets/mlflow', '/etc/evalhub/mlflow-ca']));
    expect(mounts('adapter')).not.toContain('/var/run/secrets/mlflow');
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'mlflow-ca', configMap: { name: 'evalhub-mlflow-ca-bundle', optional: true } }]));
  });

  it('mounts the operator\'s pre-filled Hugging Face cache as the adapter\'s HF_HOME, with the Hub off', () => {
    const withCache = loadConfig({ K8S_NAMESPACE: 'evalhub', K8S_HF_CACHE_PVC: 'hf-datasets' });
    const pod = buildBenchmarkResources(job, 0, provider, withCache, 'team-a', 1).job.spec!.template.spec!;
    const adapter = pod.containers[0];
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'hf-cache', persistentVolumeClaim: { claimName: 'hf-datasets' } }]));
    expect(adapter.volumeMounts).toEqual(expect.arrayContaining([{ name: 'hf-cache', mountPath: '/cache/huggingface' }]));
    expect(adapter.env).toEqual(expect.arrayContaining([{ name: 'HF_HOME', value: '/cache/huggingface' }, { name: 'HF_HUB_OFFLINE', value: '1' }, { name: 'HF_DATASETS_OFFLINE', value: '1' }]));
    // Only the adapter loads datasets; without the setting nothing is mounted.
    expect(pod.initContainers!.some((c) => c.volumeMounts!.some((m) => m.name === 'hf-cache'))).toBe(false);
    const plain = buildBenchmarkResources(job, 0, provider, cfg, 'team-a', 1).job.spec!.template.spec!;
    expect(plain.volumes!.some((v) => v.name === 'hf-cache')).toBe(false);
    expect(plain.containers[0].env!.some((e) => e.name === 'HF_HOME')).toBe(false);
    expect(() => loadConfig({ K8S_HF_CACHE_PVC: 'Not_A_Name' })).toThrow(/K8S_HF_CACHE_PVC must be a Kubernetes object name/);
  });
});

describe('diagnose', () => {
  const base = { podSeen: true, now: Date.parse('2026-11-21T10:00:10Z'), unschedulableSeconds: 5, completeGraceMs: 5000, podGoneGraceMs: 1500 };
  const pod = (status: object) => ({ metadata: { name: 'p' }, status }) as never;

  it('is quiet while the pod runs', () => {
    expect(diagnose({ status: { active: 1 } }, [pod({ phase: 'Running', containerStatuses: [{ name: 'adapter', state: { running: {} } }] })], base)).toBeUndefined();
  });

  it.each([
    [{ containerStatuses: [{ name: 'adapter', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] }, 'oom_killed'],
    [{ containerStatuses: [{ name: 'adapter', state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }] }, 'image_pull'],
    [{ containerStatuses: [{ name: 'adapter', state: { terminated: { reason: 'Error', exitCode: 1 } } }] }, 'crash'],
    [{ initContainerStatuses: [{ name: 'sidecar', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, 'crash'],
  ])('%j -> %s', (status, cause) => {
    expect(diagnose(undefined, [pod(status)], base)?.cause).toBe(cause);
  });

  it('counts unschedulable only after the configured time', () => {
    const cond = (at: string) => pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no gpu', lastTransitionTime: at }] });
    expect(diagnose(undefined, [cond('2026-11-21T10:00:08Z')], base)).toBeUndefined();
    expect(diagnose(undefined, [cond('2026-11-21T10:00:00Z')], base)?.cause).toBe('unschedulable');
  });

  it('tells a deleted pod, a deadline and a success without result apart', () => {
    const gone = { ...base, podsGoneSince: base.now - 2000 };
    expect(diagnose({ status: { active: 1 } }, [], gone)?.cause).toBe('pod_deleted');
    // Just gone: wait for the Job to say why.
    expect(diagnose({ status: { active: 1 } }, [], { ...base, podsGoneSince: base.now - 100 })).toBeUndefined();
    // The Job's DeadlineExceeded wins over the pod it deleted.
    expect(diagnose({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] } }, [], gone)?.cause).toBe('deadline_exceeded');
    expect(diagnose({ status: { active: 1 } }, [], { ...gone, podSeen: false })).toBeUndefined();
    expect(diagnose({ status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] } }, [], base)?.cause).toBe('deadline_exceeded');
    const complete = { status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } };
    expect(diagnose(complete, [], { ...base, completeSince: base.now - 1000 })).toBeUndefined();
    expect(diagnose(complete, [], { ...base, completeSince: base.now - 6000 })?.cause).toBe('succeeded_without_result');
  });
});
