#!/usr/bin/env node
// An example EvalHub adapter written with the TypeScript SDK (docs/adapter guide in the README):
// it asks the model a few questions through its OpenAI-compatible chat endpoint, scores exact
// answers, reports progress and results, and pushes its files as an OCI artifact when the job
// asks for an export. In your own project, import from 'evalhub/adapter' instead of '../adapter'.
//
//   as a local provider: "runtime": {"local": {"command": "node /path/to/dist/sdk/examples/capitals-adapter.js"}}
//   parameters: dataset_path (JSONL of {"question", "answer"}; a built-in set otherwise), max_tokens
import * as fs from 'fs';
import * as path from 'path';
import { FrameworkAdapter, JobCallbacks, JobResults, JobSpec, runAdapter } from '../adapter';

const BUILT_IN = [
  { question: 'What is the capital of France?', answer: 'Paris' },
  { question: 'What is the capital of Japan?', answer: 'Tokyo' },
  { question: 'What is the capital of Italy?', answer: 'Rome' },
  { question: 'What is the capital of Chile?', answer: 'Santiago' },
];

const normalise = (s: string) => s.trim().toLowerCase().replace(/[.!?"']+$/g, '');

export class CapitalsAdapter implements FrameworkAdapter {
  constructor(private readonly workDir = process.env.EVALHUB_WORK_DIR || process.cwd()) {}

  async runBenchmarkJob(spec: JobSpec, callbacks: JobCallbacks): Promise<JobResults> {
    const started = Date.now();
    await callbacks.reportStatus({ status: 'running', phase: 'loading_data' });
    const datasetPath = spec.parameters.dataset_path;
    const items: { question: string; answer: string }[] =
      typeof datasetPath === 'string'
        ? fs
            .readFileSync(datasetPath, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as { question: string; answer: string })
        : BUILT_IN;
    const limited = spec.numExamples ? items.slice(0, spec.numExamples) : items;
    const endpoint = `${spec.model.url.replace(/\/+$/, '').replace(/\/chat\/completions$/, '')}/chat/completions`;
    const key = process.env.OPENAI_API_KEY;
    const predictions: { question: string; target: string; response: string; correct: boolean }[] = [];
    for (const [i, item] of limited.entries()) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model: spec.model.name, temperature: 0, max_tokens: Number(spec.parameters.max_tokens ?? 32), messages: [{ role: 'user', content: `Q: ${item.question}\nA:` }] }),
      });
      if (!res.ok) throw new Error(`the model endpoint answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      const response = body.choices[0]?.message?.content ?? '';
      predictions.push({ question: item.question, target: item.answer, response, correct: normalise(response) === normalise(item.answer) });
      await callbacks.reportStatus({ status: 'running', phase: 'running_evaluation', progress: (i + 1) / limited.length, completedSteps: i + 1, totalSteps: limited.length });
    }
    const accuracy = predictions.filter((p) => p.correct).length / Math.max(1, predictions.length);

    await callbacks.reportStatus({ status: 'running', phase: 'post_processing' });
    const dir = path.join(this.workDir, 'capitals-adapter');
    fs.mkdirSync(dir, { recursive: true });
    const resultsFile = path.join(dir, 'results.json');
    const predictionsFile = path.join(dir, 'predictions.jsonl');
    fs.writeFileSync(resultsFile, JSON.stringify({ benchmark: spec.benchmarkId, model: spec.model.name, accuracy, n: predictions.length }, null, 2));
    fs.writeFileSync(predictionsFile, predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');

    const results: JobResults = {
      id: spec.id,
      benchmarkId: spec.benchmarkId,
      benchmarkIndex: spec.benchmarkIndex,
      modelName: spec.model.name,
      results: [{ metricName: 'accuracy', metricValue: accuracy, numSamples: predictions.length }],
      overallScore: accuracy,
      numExamplesEvaluated: predictions.length,
      durationSeconds: (Date.now() - started) / 1000,
      evaluationMetadata: { artifacts: { 'capitals.results': resultsFile, 'capitals.predictions': predictionsFile } },
    };
    if (spec.ociExport) {
      await callbacks.reportStatus({ status: 'running', phase: 'persisting_artifacts' });
      results.ociArtifact = await callbacks.createOciArtifact({
        files: [resultsFile, predictionsFile],
        coordinates: { ...spec.ociExport, ociTag: spec.ociExport.ociTag ?? `${spec.id.slice(0, 8)}-${spec.benchmarkIndex}` },
        annotations: { 'io.evalhub.job.id': spec.id, 'io.evalhub.benchmark.id': spec.benchmarkId, 'io.evalhub.model.name': spec.model.name, 'io.evalhub.score': String(accuracy) },
      });
    }
    return results;
  }
}

if (require.main === module) void runAdapter(new CapitalsAdapter()).then((code) => process.exit(code));
