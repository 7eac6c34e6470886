import { Module } from '@nestjs/common';
import { EXECUTORS, Executor } from './executor.interface';
import { ExecutorRegistry } from './executor.registry';
import { GarakExecutor } from './garak/garak.executor';
import { GuideLlmExecutor } from './guidellm/guidellm.executor';
import { KubeflowPipelinesExecutor } from './kubeflow-pipelines/kubeflow-pipelines.executor';
import { KubernetesExecutor } from './kubernetes/kubernetes.executor';
import { LightevalExecutor } from './lighteval/lighteval.executor';
import { LmEvalExecutor } from './lm-eval/lm-eval.executor';
import { LocalProcessExecutor } from './local-process/local-process.executor';
import { NemoEvaluatorExecutor } from './nemo-evaluator/nemo-evaluator.executor';
import { RagasExecutor } from './ragas/ragas.executor';
import { UnavailableExecutor } from './unavailable/unavailable.executor';

const BACKENDS = [LocalProcessExecutor, LmEvalExecutor, KubernetesExecutor, UnavailableExecutor, LightevalExecutor, RagasExecutor, GarakExecutor, GuideLlmExecutor, NemoEvaluatorExecutor, KubeflowPipelinesExecutor];

/** Every backend behind the Executor interface; adding one = a folder plus a line here. */
@Module({
  providers: [
    ...BACKENDS,
    { provide: EXECUTORS, useFactory: (...xs: Executor[]) => xs, inject: BACKENDS },
    ExecutorRegistry,
  ],
  exports: [ExecutorRegistry],
})
export class ExecutorsModule {}
