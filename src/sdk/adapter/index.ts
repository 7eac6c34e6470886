// `evalhub/adapter`: bring your own framework. Implement FrameworkAdapter, then runAdapter(it).
export { runAdapter } from './framework-adapter';
export type { FrameworkAdapter, RunAdapterOptions } from './framework-adapter';
export { JobSpec, JobSpecError, jobSpecProblems } from './job-spec';
export type { JobSpecDocument } from './job-spec';
export { AdapterSettings, AdapterConfigError } from './settings';
export { DefaultCallbacks, CallbackError } from './callbacks';
export type { JobCallbacks } from './callbacks';
export { JobStatus, JobPhase } from './types';
export type { EvaluationResult, JobResults, JobStatusUpdate, MessageInfo } from './types';
export { OCIArtifactPersister, EVALHUB_ARTIFACT_TYPE, credentialsFromDockerConfig, mediaTypeOf } from './oci/persister';
export type { OCIArtifactResult, OCIArtifactSpec, OCICoordinates, OCIPersisterOptions, Persister } from './oci/persister';
export { RegistryClient, RegistryError } from './oci/registry-client';
export type { RegistryCredentials } from './oci/registry-client';
