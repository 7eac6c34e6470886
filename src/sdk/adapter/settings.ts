import * as fs from 'fs';

export class AdapterConfigError extends Error {}

const NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** How the adapter runs, from the environment EvalHub gives it (the Python SDK's names). */
export class AdapterSettings {
  constructor(
    /** local: callbacks straight to EvalHub; k8s: through the pod's sidecar (the JobSpec's callback URL). */
    readonly mode: 'local' | 'k8s',
    readonly jobSpecPath: string,
    /** A docker config.json with registry credentials (the sidecar's, in Kubernetes). */
    readonly ociAuthConfigPath: string | undefined,
    /** Plain HTTP to the registry. */
    readonly ociInsecure: boolean,
    /** Sent as X-Tenant with every callback (the pod's namespace in Kubernetes). */
    readonly tenant: string | undefined,
    /** Bearer token for callbacks, where the callback URL does not carry the run's credential. */
    readonly token: string | undefined,
    /** Scratch space for the run's files. */
    readonly workDir: string,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): AdapterSettings {
    const mode = env.EVALHUB_MODE === 'k8s' ? 'k8s' : 'local';
    const tenant = env.EVALHUB_TENANT || (fs.existsSync(NAMESPACE_FILE) ? fs.readFileSync(NAMESPACE_FILE, 'utf8').trim() : undefined);
    return new AdapterSettings(
      mode,
      env.EVALHUB_JOB_SPEC_PATH || '/meta/job.json',
      env.OCI_AUTH_CONFIG_PATH || undefined,
      env.OCI_INSECURE === 'true',
      tenant || undefined,
      env.EVALHUB_TOKEN || undefined,
      env.EVALHUB_WORK_DIR || process.cwd(),
    );
  }

  /** Checks what can be checked before the run; throws AdapterConfigError naming every problem. */
  validateRuntime(): void {
    const problems: string[] = [];
    if (!fs.existsSync(this.jobSpecPath)) problems.push(`no JobSpec at ${this.jobSpecPath} (EVALHUB_JOB_SPEC_PATH)`);
    if (this.ociAuthConfigPath && !fs.existsSync(this.ociAuthConfigPath)) problems.push(`OCI_AUTH_CONFIG_PATH names ${this.ociAuthConfigPath}, which does not exist`);
    try {
      fs.mkdirSync(this.workDir, { recursive: true });
      fs.accessSync(this.workDir, fs.constants.W_OK);
    } catch {
      problems.push(`the work folder ${this.workDir} is not writable (EVALHUB_WORK_DIR)`);
    }
    if (problems.length) throw new AdapterConfigError(`the adapter cannot run: ${problems.join('; ')}`);
  }
}
