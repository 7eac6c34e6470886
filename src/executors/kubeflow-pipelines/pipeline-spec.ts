import { createHash } from 'crypto';
import { KfpSettings } from '../../domain/kfp-settings';
import { stableJson } from '../../domain/stable-json';

// The KFP v2 pipeline (its intermediate representation, as `kfp.compiler` writes it, checked
// against kfp-pipeline-spec by the tests' fake server): one task whose container writes the
// benchmark's JobSpec, given as the run's `job_spec` parameter, to a file and starts the adapter
// on it. The JobSpec is a run parameter, so one uploaded version serves every job of a provider.

const TASK = 'evalhub-benchmark';
const COMPONENT = `comp-${TASK}`;
const EXECUTOR = `exec-${TASK}`;
export const JOB_SPEC_PARAMETER = 'job_spec';

/** `$0` is the JobSpec, `$@` the adapter's command; the SDKs read EVALHUB_JOB_SPEC_PATH. */
const WRITE_SPEC_THEN_RUN = [
  'set -e',
  'f="${EVALHUB_JOB_SPEC_PATH:-/tmp/evalhub/meta/job.json}"',
  'mkdir -p "$(dirname "$f")"',
  `printf '%s' "$0" > "$f"`,
  'export EVALHUB_JOB_SPEC_PATH="$f"',
  'exec "$@"',
].join('\n');

export function buildPipelineSpec(s: KfpSettings): Record<string, unknown> {
  const parameters = { [JOB_SPEC_PARAMETER]: { parameterType: 'STRING' } };
  return {
    pipelineInfo: { name: pipelineName(s), description: `EvalHub: one ${s.framework} benchmark from a JobSpec, reporting to EvalHub's callback URL` },
    schemaVersion: '2.1.0',
    sdkVersion: 'evalhub-0.1.0',
    root: {
      inputDefinitions: { parameters },
      dag: {
        tasks: {
          [TASK]: {
            taskInfo: { name: TASK },
            componentRef: { name: COMPONENT },
            inputs: { parameters: { [JOB_SPEC_PARAMETER]: { componentInputParameter: JOB_SPEC_PARAMETER } } },
            // Each run is a different evaluation; a cached result would be someone else's.
            cachingOptions: {},
          },
        },
      },
    },
    components: { [COMPONENT]: { executorLabel: EXECUTOR, inputDefinitions: { parameters } } },
    deploymentSpec: {
      executors: {
        [EXECUTOR]: {
          container: {
            image: s.image,
            command: ['sh', '-c', WRITE_SPEC_THEN_RUN],
            args: [`{{$.inputs.parameters['${JOB_SPEC_PARAMETER}']}}`, ...s.command],
            env: [{ name: 'EVALHUB_MODE', value: 'local' }, ...s.env],
          },
        },
      },
    },
  };
}

export function pipelineName(s: Pick<KfpSettings, 'framework'>): string {
  return `evalhub-${s.framework}`;
}

/** The version name: the pipeline's name and a hash of its content, so an unchanged spec is reused. */
export function versionName(spec: Record<string, unknown>): string {
  const hash = createHash('sha256').update(stableJson(spec)).digest('hex').slice(0, 16);
  return `${(spec.pipelineInfo as { name: string }).name}-${hash}`;
}

