import type { V1ConfigMap, V1Container, V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { AppConfig } from '../core/config/app-config';
import { buildJobSpec } from '../domain/job-spec';
import { effectiveHardware, podPlacement, PodPlacement, ProfileSettings } from '../domain/pod-placement';
import { JobRecord, ProviderRecord } from '../domain/types';

/** Where the adapter and sidecar find things in the pod (evalhub-api-v1 §3.5). */
export const SIDECAR_PORT = 8080;
const SIDECAR_BASE = `http://localhost:${SIDECAR_PORT}`;
const MLFLOW_TOKEN_DIR = '/var/run/secrets/mlflow';
const MLFLOW_CA_DIR = '/etc/evalhub/mlflow-ca';
const TEST_DATA_DIR = '/test_data';
const OCI_AUTH_DIR = '/etc/evalhub/.docker';

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

/** What the parts of one benchmark's manifests are built from. */
interface ManifestInputs {
  job: JobRecord;
  index: number;
  cfg: AppConfig;
  namespace: string;
  /** The provider's runtime.k8s. */
  k8s: Record<string, unknown>;
  placement: PodPlacement;
  /** The Secret with the OCI registry credentials (exports.oci.k8s.connection), if any. */
  ociSecret?: string;
  /** The Secret with the model's API key (model.auth.secret_ref), if any. */
  modelSecret?: string;
  testData: ReturnType<typeof testDataVolumes>;
  hfCache: ReturnType<typeof hfCacheVolume>;
}

type OciExport = { coordinates?: { oci_host?: string; oci_repository?: string }; k8s?: { connection?: string } };

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
  profile?: ProfileSettings,
  callbackToken?: string,
): { name: string; configMap: V1ConfigMap; job: V1Job } {
  const name = benchmarkJobName(job.resource.id, index, attempt);
  const b = job.benchmarks[index];
  const k8s = (provider.runtime?.k8s ?? {}) as Record<string, unknown>;
  const placement = podPlacement(k8s, effectiveHardware(b.hardware_config, job.config.hardware_config), profile, job.config.queue);
  const oci = (job.config.exports as { oci?: OciExport } | undefined)?.oci;
  const inputs: ManifestInputs = {
    job,
    index,
    cfg,
    namespace,
    k8s,
    placement,
    ociSecret: oci?.k8s?.connection,
    modelSecret: job.config.model.auth?.secret_ref,
    testData: testDataVolumes(b.test_data_ref, cfg),
    hfCache: hfCacheVolume(cfg),
  };
  const lbl = labels(job, index, cfg);
  // Kueue admits the Job (its webhook suspends it until the LocalQueue has quota).
  if (placement.queueName) lbl['kueue.x-k8s.io/queue-name'] = labelValue(placement.queueName);
  if (placement.queueName && placement.priorityClassName) lbl['kueue.x-k8s.io/priority-class'] = labelValue(placement.priorityClassName);
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
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-spec`, namespace, labels: lbl, annotations },
    data: { 'job.json': JSON.stringify(spec, null, 2), 'sidecar_config.json': JSON.stringify(sidecarConfig(cfg, namespace, modelUrl, oci, callbackToken), null, 2) },
  };
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
          // The data download runs to completion first; the sidecar then keeps running beside the adapter.
          initContainers: [...inputs.testData.initContainers, sidecarContainer(inputs)],
          containers: [adapterContainer(inputs)],
          volumes: podVolumes(name, inputs),
          ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
          ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
        },
      },
    },
  };
  return { name, configMap, job: jobManifest };
}

/** The sidecar's config: the real targets (EvalHub, MLflow, the model, the OCI registry) and how it authenticates to each. */
function sidecarConfig(cfg: AppConfig, namespace: string, modelUrl: string, oci: OciExport | undefined, callbackToken?: string): Record<string, unknown> {
  return {
    base_url: SIDECAR_BASE,
    port: SIDECAR_PORT,
    eval_hub: { base_url: cfg.callbackUrl, token_path: '/var/run/secrets/evalhub/token', ...(callbackToken ? { callback_token: callbackToken } : {}) },
    mlflow: cfg.mlflowTrackingUri
      ? {
          tracking_uri: cfg.mlflowTrackingUri,
          workspace: namespace,
          token_path: `${MLFLOW_TOKEN_DIR}/token`,
          ...(cfg.mlflowAuth.caCertPath ? { ca_cert_path: `${MLFLOW_CA_DIR}/ca-bundle.crt` } : {}),
        }
      : undefined,
    model: { url: modelUrl, auth_secret_mount_path: '/var/run/secrets/model' },
    ...(oci?.coordinates?.oci_host && oci.coordinates.oci_repository
      ? {
          oci: {
            host: oci.coordinates.oci_host,
            repository: oci.coordinates.oci_repository,
            ...(oci.k8s?.connection ? { auth_config_path: `${OCI_AUTH_DIR}/config.json` } : {}),
          },
        }
      : {}),
  };
}

/** The provider's adapter image: it sees the JobSpec, its work folders and the sidecar, no credentials but the OCI ones. */
function adapterContainer({ cfg, namespace, k8s, placement, ociSecret, testData, hfCache }: ManifestInputs): V1Container {
  const fixedEnv = [
    ...hfCache.env,
    { name: 'EVALHUB_MODE', value: 'k8s' },
    { name: 'EVALHUB_JOB_SPEC_PATH', value: '/meta/job.json' },
    // The pod's workspace is its tenant namespace (MLflow checks RBAC there), never EvalHub's own.
    ...(cfg.mlflowTrackingUri ? [{ name: 'MLFLOW_TRACKING_URI', value: SIDECAR_BASE }, { name: 'MLFLOW_WORKSPACE', value: namespace }] : []),
    ...(ociSecret ? [{ name: 'OCI_AUTH_CONFIG_PATH', value: `${OCI_AUTH_DIR}/config.json` }] : []),
  ];
  const providerEnv = ((k8s.env as { name: string; value: string }[] | undefined) ?? []).filter((e) => !fixedEnv.some((f) => f.name === e.name));
  return {
    name: 'adapter',
    image: String(k8s.image ?? ''),
    command: (k8s.entrypoint as string[] | undefined) ?? undefined,
    imagePullPolicy: pullPolicy(k8s.image_pull_policy),
    env: [...fixedEnv, ...providerEnv],
    resources: { requests: placement.requests, limits: placement.limits },
    securityContext: RESTRICTED,
    volumeMounts: [
      { name: 'job-spec', mountPath: '/meta/job.json', subPath: 'job.json', readOnly: true },
      { name: 'data', mountPath: '/data' },
      { name: 'shared', mountPath: '/shared' },
      { name: 'pod-namespace', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      ...testData.adapterMounts,
      ...hfCache.mounts,
      ...(ociSecret ? [{ name: 'oci-auth', mountPath: OCI_AUTH_DIR, readOnly: true }] : []),
    ],
  };
}

/** The EvalHub sidecar: it holds every credential (callback token, model key, MLflow token and CA) and forwards for the adapter. */
function sidecarContainer({ cfg, ociSecret, modelSecret }: ManifestInputs): V1Container {
  return {
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
      ...(ociSecret ? [{ name: 'oci-auth', mountPath: OCI_AUTH_DIR, readOnly: true }] : []),
      ...(cfg.mlflowTrackingUri ? [{ name: 'mlflow-token', mountPath: MLFLOW_TOKEN_DIR, readOnly: true }] : []),
      ...(cfg.mlflowTrackingUri && cfg.mlflowAuth.caCertPath ? [{ name: 'mlflow-ca', mountPath: MLFLOW_CA_DIR, readOnly: true }] : []),
    ],
  };
}

function podVolumes(name: string, { cfg, ociSecret, modelSecret, testData, hfCache }: ManifestInputs): V1Volume[] {
  return [
    { name: 'job-spec', configMap: { name: `${name}-spec` } },
    { name: 'data', emptyDir: {} },
    { name: 'shared', emptyDir: {} },
    // Only the namespace file: the SDK reads X-Tenant from it; no API token for the adapter.
    { name: 'pod-namespace', projected: { sources: [{ downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } },
    { name: 'evalhub-token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ...(modelSecret ? [{ name: 'model-secret', secret: { secretName: modelSecret } }] : []),
    ...testData.volumes,
    ...hfCache.volumes,
    ...(ociSecret ? [{ name: 'oci-auth', secret: { secretName: ociSecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } }] : []),
    // MLflow behind an OpenShift/kube-rbac-proxy accepts the pod's service-account token; the
    // sidecar (never the adapter) presents it, and trusts the CA bundle the operator publishes.
    ...(cfg.mlflowTrackingUri ? [{ name: 'mlflow-token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }] : []),
    ...(cfg.mlflowTrackingUri && cfg.mlflowAuth.caCertPath ? [{ name: 'mlflow-ca', configMap: { name: `${cfg.k8s.instanceName}-mlflow-ca-bundle`, optional: true } }] : []),
  ];
}

/** Where the pre-filled Hugging Face cache is mounted in the adapter container. */
export const HF_CACHE_DIR = '/cache/huggingface';

/**
 * The operator's pre-filled Hugging Face cache (K8S_HF_CACHE_PVC) as the adapter's HF_HOME, with
 * the Hub off so a missing dataset fails at once with its name instead of hanging on the network.
 * Writable: the datasets library takes lock files in the cache even when it only reads.
 */
function hfCacheVolume(cfg: AppConfig): { volumes: V1Volume[]; mounts: V1VolumeMount[]; env: { name: string; value: string }[] } {
  const claim = cfg.k8s.hfCacheClaim;
  if (!claim) return { volumes: [], mounts: [], env: [] };
  return {
    volumes: [{ name: 'hf-cache', persistentVolumeClaim: { claimName: claim } }],
    mounts: [{ name: 'hf-cache', mountPath: HF_CACHE_DIR }],
    env: [
      { name: 'HF_HOME', value: HF_CACHE_DIR },
      { name: 'HF_HUB_OFFLINE', value: '1' },
      { name: 'HF_DATASETS_OFFLINE', value: '1' },
    ],
  };
}

/**
 * Test data at /test_data (§3.5): a PVC mounted read-only, or an emptyDir that an init container
 * fills from S3 or git (the EvalHub init image, K8S_TEST_DATA_INIT_IMAGE) before the adapter starts.
 */
function testDataVolumes(ref: unknown, cfg: AppConfig): { volumes: V1Volume[]; adapterMounts: V1VolumeMount[]; initContainers: V1Container[] } {
  const none = { volumes: [], adapterMounts: [], initContainers: [] };
  if (!ref || typeof ref !== 'object') return none;
  const r = ref as { pvc?: { claim_name: string; sub_path?: string }; s3?: { bucket: string; key: string; secret_ref?: string }; git?: { url: string; ref?: string; sub_path?: string; secret_ref?: string } };
  if (r.pvc) {
    return {
      volumes: [{ name: 'test-data', persistentVolumeClaim: { claimName: r.pvc.claim_name, readOnly: true } }],
      adapterMounts: [{ name: 'test-data', mountPath: TEST_DATA_DIR, readOnly: true, ...(r.pvc.sub_path ? { subPath: r.pvc.sub_path } : {}) }],
      initContainers: [],
    };
  }
  if (!r.s3 && !r.git) return none;
  const env = r.s3
    ? [
        { name: 'TEST_DATA_S3_BUCKET', value: r.s3.bucket },
        { name: 'TEST_DATA_S3_KEY', value: r.s3.key },
      ]
    : [
        { name: 'TEST_DATA_GIT_URL', value: r.git!.url },
        ...(r.git!.ref ? [{ name: 'TEST_DATA_GIT_REF', value: r.git!.ref }] : []),
        ...(r.git!.sub_path ? [{ name: 'TEST_DATA_GIT_SUBPATH', value: r.git!.sub_path }] : []),
      ];
  const secret = r.s3?.secret_ref ?? r.git?.secret_ref;
  const init: V1Container = {
    name: 'init',
    image: cfg.k8s.testDataInitImage,
    command: ['/app/eval-runtime-init'],
    env: [...env, { name: 'TEST_DATA_DIR', value: TEST_DATA_DIR }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    securityContext: RESTRICTED,
    volumeMounts: [{ name: 'test-data', mountPath: TEST_DATA_DIR }, ...(secret ? [{ name: 'test-data-secret', mountPath: '/var/run/secrets/test-data', readOnly: true }] : [])],
  };
  return {
    volumes: [{ name: 'test-data', emptyDir: {} }, ...(secret ? [{ name: 'test-data-secret', secret: { secretName: secret } }] : [])],
    adapterMounts: [{ name: 'test-data', mountPath: TEST_DATA_DIR, readOnly: true }],
    initContainers: [init],
  };
}
