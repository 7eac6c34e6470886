import type { V1ConfigMap, V1Container, V1Job, V1Volume } from '@kubernetes/client-node';
import { AppConfig } from '../core/config/app-config';
import { buildJobSpec } from '../domain/job-spec';
import { JobRecord, ProviderRecord } from '../domain/types';

/** Where the adapter and sidecar find things in the pod (evalhub-api-v1 §3.5). */
export const SIDECAR_PORT = 8080;
const SIDECAR_BASE = `http://localhost:${SIDECAR_PORT}`;

/** Label values: [a-z0-9-_.], at most 63 characters, alphanumeric at both ends. */
export function labelValue(v: string | number): string {
  return String(v)
    .toLowerCase()
    .replace(/[^a-z0-9-_.]/g, '-')
    .slice(0, 63)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

/** Deterministic per job, benchmark and attempt: a retried worker finds (adopts) its own Job. */
export function benchmarkJobName(jobId: string, index: number, attempt: number): string {
  return `evalhub-${labelValue(jobId).slice(0, 36)}-${index}-a${attempt}`;
}

export function selectorFor(jobId: string, index?: number): string {
  return `app=evalhub,component=evaluation-job,job_id=${labelValue(jobId)}${index === undefined ? '' : `,benchmark_index=${index}`}`;
}

function labels(job: JobRecord, index: number, cfg: AppConfig): Record<string, string> {
  const b = job.benchmarks[index];
  return {
    app: 'evalhub',
    component: 'evaluation-job',
    job_id: labelValue(job.resource.id),
    provider_id: labelValue(b.provider_id),
    benchmark_id: labelValue(b.id),
    benchmark_index: String(index),
    'trustyai.opendatahub.io/evaluation-phase': 'Pending',
    evalhub_instance_name: labelValue(cfg.k8s.instanceName),
    evalhub_instance_namespace: labelValue(cfg.k8s.namespace),
  };
}

const RESTRICTED = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function pullPolicy(v: unknown): string {
  return String(v ?? '').toLowerCase().replace(/[_-]/g, '') === 'always' ? 'Always' : 'IfNotPresent';
}

/**
 * The ConfigMap (JobSpec + sidecar config) and Job that run one benchmark from its provider's
 * adapter image, next to the EvalHub sidecar (a native sidecar: init container that keeps running).
 */
export function buildBenchmarkResources(
  job: JobRecord,
  index: number,
  provider: ProviderRecord,
  cfg: AppConfig,
  namespace: string,
  attempt: number,
): { name: string; configMap: V1ConfigMap; job: V1Job } {
  const name = benchmarkJobName(job.resource.id, index, attempt);
  const b = job.benchmarks[index];
  const k8s = (provider.runtime?.k8s ?? {}) as Record<string, unknown>;
  const lbl = labels(job, index, cfg);
  const annotations = {
    'eval-hub.github.io/job_id': job.resource.id,
    'eval-hub.github.io/provider_id': b.provider_id,
    'eval-hub.github.io/benchmark_id': b.id,
  };
  const modelUrl = job.config.model.url ?? '';
  let modelPath = '';
  try {
    modelPath = new URL(modelUrl).pathname.replace(/\/$/, '');
  } catch {
    /* pre-recorded data: no model */
  }
  // The adapter talks to the sidecar only: EvalHub, MLflow and the model all go through it.
  const spec = buildJobSpec(job, index, SIDECAR_BASE, modelUrl ? `${SIDECAR_BASE}${modelPath}` : '');
  const sidecarConfig = {
    base_url: SIDECAR_BASE,
    port: SIDECAR_PORT,
    eval_hub: { base_url: cfg.callbackUrl, token_path: '/var/run/secrets/evalhub/token' },
    mlflow: cfg.mlflowTrackingUri ? { tracking_uri: cfg.mlflowTrackingUri, workspace: namespace } : undefined,
    model: { url: modelUrl, auth_secret_mount_path: '/var/run/secrets/model' },
  };
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-spec`, namespace, labels: lbl, annotations },
    data: { 'job.json': JSON.stringify(spec, null, 2), 'sidecar_config.json': JSON.stringify(sidecarConfig, null, 2) },
  };

  const gpu = k8s.gpu as { resource?: string; count?: number; node_selector?: Record<string, string> } | undefined;
  const requests: Record<string, string> = { cpu: String(k8s.cpu_request ?? '250m'), memory: String(k8s.memory_request ?? '512Mi') };
  const limits: Record<string, string> = { cpu: String(k8s.cpu_limit ?? '1'), memory: String(k8s.memory_limit ?? '2Gi') };
  if (gpu?.count) {
    requests[gpu.resource ?? 'nvidia.com/gpu'] = String(gpu.count);
    limits[gpu.resource ?? 'nvidia.com/gpu'] = String(gpu.count);
  }
  const fixedEnv = [
    { name: 'EVALHUB_MODE', value: 'k8s' },
    { name: 'EVALHUB_JOB_SPEC_PATH', value: '/meta/job.json' },
    ...(cfg.mlflowTrackingUri ? [{ name: 'MLFLOW_TRACKING_URI', value: SIDECAR_BASE }, { name: 'MLFLOW_WORKSPACE', value: namespace }] : []),
  ];
  const providerEnv = ((k8s.env as { name: string; value: string }[] | undefined) ?? []).filter((e) => !fixedEnv.some((f) => f.name === e.name));
  const adapter: V1Container = {
    name: 'adapter',
    image: String(k8s.image ?? ''),
    command: (k8s.entrypoint as string[] | undefined) ?? undefined,
    imagePullPolicy: pullPolicy(k8s.image_pull_policy),
    env: [...fixedEnv, ...providerEnv],
    resources: { requests, limits },
    securityContext: RESTRICTED,
    volumeMounts: [
      { name: 'job-spec', mountPath: '/meta/job.json', subPath: 'job.json', readOnly: true },
      { name: 'data', mountPath: '/data' },
      { name: 'shared', mountPath: '/shared' },
      { name: 'pod-namespace', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
  };
  const modelSecret = job.config.model.auth?.secret_ref;
  const sidecar: V1Container = {
    name: 'sidecar',
    image: cfg.k8s.sidecarImage,
    command: ['node', 'dist/sidecar.js'],
    restartPolicy: 'Always',
    env: [{ name: 'SIDECAR_CONFIG', value: '/meta/sidecar_config.json' }],
    ports: [{ name: 'sidecar', containerPort: SIDECAR_PORT }],
    // The sidecar listens on localhost only (it carries the pod's credentials), so probe from inside.
    startupProbe: {
      exec: { command: ['node', '-e', `require('http').get('http://127.0.0.1:${SIDECAR_PORT}/health',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`] },
      periodSeconds: 1,
      failureThreshold: 30,
    },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
    securityContext: RESTRICTED,
    terminationMessagePath: '/data/termination-log',
    volumeMounts: [
      { name: 'job-spec', mountPath: '/meta/job.json', subPath: 'job.json', readOnly: true },
      { name: 'job-spec', mountPath: '/meta/sidecar_config.json', subPath: 'sidecar_config.json', readOnly: true },
      { name: 'evalhub-token', mountPath: '/var/run/secrets/evalhub', readOnly: true },
      { name: 'pod-namespace', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      { name: 'data', mountPath: '/data' },
      ...(modelSecret ? [{ name: 'model-secret', mountPath: '/var/run/secrets/model', readOnly: true }] : []),
    ],
  };
  const volumes: V1Volume[] = [
    { name: 'job-spec', configMap: { name: `${name}-spec` } },
    { name: 'data', emptyDir: {} },
    { name: 'shared', emptyDir: {} },
    // Only the namespace file: the SDK reads X-Tenant from it; no API token for the adapter.
    { name: 'pod-namespace', projected: { sources: [{ downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } },
    { name: 'evalhub-token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ...(modelSecret ? [{ name: 'model-secret', secret: { secretName: modelSecret } }] : []),
  ];
  const timeoutSeconds = Math.ceil(cfg.defaultTimeoutMinutes * 60);
  const jobManifest: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels: lbl, annotations },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 3600,
      activeDeadlineSeconds: timeoutSeconds,
      template: {
        metadata: { labels: lbl, annotations },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: cfg.k8s.serviceAccount,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          initContainers: [sidecar],
          containers: [adapter],
          volumes,
          ...(gpu?.node_selector ? { nodeSelector: gpu.node_selector } : {}),
        },
      },
    },
  };
  return { name, configMap, job: jobManifest };
}
