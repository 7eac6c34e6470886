import { JobRecord, ProviderRecord } from '../../domain/types';
import { DEFAULT_RAGAS_METRICS, ragasDriverConfig, ragasError, ragasMetrics, ragasProgress } from './ragas-config';

function job(parameters: Record<string, unknown>, modelParams?: Record<string, unknown>): JobRecord {
  return {
    resource: { id: 'j' },
    config: { name: 'j', model: { url: 'http://m:8000/v1/chat/completions', name: 'judge', parameters: modelParams } },
    benchmarks: [{ id: 'ragas_rag_full', provider_id: 'ragas', parameters }],
    status: { state: 'pending', message: null, benchmarks: [] },
    results: {},
  };
}
const provider = (include_path?: string): ProviderRecord => ({
  resource: { id: 'ragas' },
  name: 'RAGAS',
  title: '',
  benchmarks: [{ id: 'ragas_rag_full', name: 'x', category: 'rag', num_few_shot: 0, dataset_size: 0, metrics: ['faithfulness', 'noise_sensitivity'] }],
  runtime: { local: { executor: 'ragas', include_path } },
});

describe('ragasDriverConfig', () => {
  it('judges with the job model, metrics from the catalog benchmark, embeddings from the model parameters', () => {
    const c = ragasDriverConfig(job({ dataset_path: '/d/rag.jsonl', num_examples: 3 }, { embeddings_url: 'http://e:9000/v1', embeddings_model: 'emb' }), 0, provider(), '/out');
    expect(c).toEqual({
      model_url: 'http://m:8000/v1',
      model_name: 'judge',
      api_key_env: 'OPENAI_API_KEY',
      embeddings_url: 'http://e:9000/v1',
      embeddings_model: 'emb',
      dataset_path: '/d/rag.jsonl',
      metrics: ['faithfulness', 'noise_sensitivity'],
      max_rows: 3,
      output_dir: '/out',
    });
  });

  it('a metrics parameter wins; relative datasets are read in the provider folder; no dataset is an error', () => {
    const c = ragasDriverConfig(job({ dataset_path: 'rag.jsonl', metrics: 'faithfulness,context_recall', embeddings_model: 'e2' }), 0, provider('/tasks'), '/out');
    expect(c).toMatchObject({ dataset_path: '/tasks/rag.jsonl', metrics: ['faithfulness', 'context_recall'], embeddings_url: 'http://m:8000/v1', embeddings_model: 'e2' });
    expect(ragasDriverConfig(job({ dataset_path: 'rag.jsonl' }), 0, provider(), '/o')).toEqual({ error: expect.stringContaining('relative') });
    expect(ragasDriverConfig(job({}), 0, provider(), '/o')).toEqual({ error: expect.stringContaining('needs parameters.dataset_path') });
    expect(DEFAULT_RAGAS_METRICS).toContain('faithfulness');
  });
});

describe('RAGAS driver output', () => {
  it('progress and error lines', () => {
    expect(ragasProgress('evalhub-progress done=3 total=4')).toEqual({ done: 3, total: 4 });
    expect(ragasProgress('something')).toBeUndefined();
    expect(ragasError('evalhub-error: model endpoint unreachable: http://x/v1')).toBe('model endpoint unreachable: http://x/v1');
  });

  it('keeps finite means only', () => {
    expect(ragasMetrics({ metrics: { faithfulness: 1, answer_relevancy: -0.15, context_recall: null }, rows: 5 })).toEqual({ faithfulness: 1, answer_relevancy: -0.15 });
  });
});
