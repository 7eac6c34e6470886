import * as path from 'path';
import type { Role } from './identity';

export interface RuntimePolicy {
  /** More than one person uses the service: cluster mode, or authentication on. */
  shared: boolean;
  role: Role | undefined;
  tenant: string | undefined;
  /** Folder whose `<tenant>/` subfolder may hold a tenant's own lm-eval tasks. */
  tenantTasksDir?: string;
}

/**
 * What a tenant may put in a provider's `runtime.local` where the service is shared: no shell
 * command and no environment of its own (either runs code as the worker), and lm-eval task
 * folders only inside the tenant's own folder. One user on loopback, and admins, may do anything.
 * Returns why not, or undefined when allowed.
 */
export function localRuntimeRefusal(local: { command?: unknown; env?: unknown; include_path?: unknown } | undefined, policy: RuntimePolicy): string | undefined {
  if (!local || !policy.shared || policy.role === 'admin') return undefined;
  if (local.command !== undefined) {
    return 'runtime.local.command runs a shell command on the shared worker: only an admin (or a system provider file in config/) may set it. Use a built-in executor or a Kubernetes image instead.';
  }
  if (local.env !== undefined) return 'runtime.local.env changes the environment of processes on the shared worker: only an admin may set it.';
  if (typeof local.include_path === 'string') {
    const own = policy.tenantTasksDir && policy.tenant ? path.join(policy.tenantTasksDir, policy.tenant) : undefined;
    const p = path.resolve(local.include_path);
    if (!own || (p !== own && !p.startsWith(own + path.sep))) {
      return own
        ? `runtime.local.include_path must lie inside this tenant's task folder ${own}.`
        : 'runtime.local.include_path is not available to tenants here: the operator has not set TENANT_TASKS_DIR.';
    }
  }
  return undefined;
}
