/* eslint-disable @typescript-eslint/no-explicit-any -- the pipeline spec is an untyped IR document; the tests walk into it */
import { resolveKfpSettings } from '../../domain/kfp-settings';
import { buildPipelineSpec, versionName } from './pipeline-spec';

const settings = (extra: object = {}) => resolveKfpSettings({ framework: 'lighteval', kfp_endpoint: 'http://kfp:8888', ...extra }, undefined).settings!;

describe('KFP pipeline spec', () => {
  it("has one task whose container writes the run's job_spec parameter to a file and starts the adapter on it", () => {
    const spec = buildPipelineSpec(settings({ env: [{ name: 'EVALHUB_INCLUDE_PATH', value: '/tasks' }] })) as any;
    expect(spec.pipelineInfo.name).toBe('evalhub-lighteval');
    expect(spec.root.inputDefinitions.parameters).toEqual({ job_spec: { parameterType: 'STRING' } });
    const [task] = Object.values(spec.root.dag.tasks) as any[];
    const component = spec.components[task.componentRef.name];
    const container = spec.deploymentSpec.executors[component.executorLabel].container;
    expect(task.inputs.parameters.job_spec).toEqual({ componentInputParameter: 'job_spec' });
    expect(container.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(container.args).toEqual(["{{$.inputs.parameters['job_spec']}}", 'node', 'dist/adapter.js', 'lighteval']);
    expect(container.env).toEqual([
      { name: 'EVALHUB_MODE', value: 'local' },
      { name: 'EVALHUB_INCLUDE_PATH', value: '/tasks' },
    ]);
  });

  it('names a version by its content: the same settings give the same version, another image another', () => {
    const a = versionName(buildPipelineSpec(settings()));
    expect(a).toMatch(/^evalhub-lighteval-[0-9a-f]{16}$/);
    expect(versionName(buildPipelineSpec(settings()))).toBe(a);
    expect(versionName(buildPipelineSpec(settings({ image: 'quay.io/x/y:2', command: ['python', 'main.py'] })))).not.toBe(a);
  });
});
