#!/usr/bin/env node
// Regenerates config/providers/*.yaml and config/collections/*.yaml from the catalog facts file
// (ids, categories, metrics, sizes, scores, thresholds, weights) and from the agent facts file
// (which providers and benchmarks have an agent block, its enums, tags and score bounds). The
// prose (descriptions here, agent texts in catalog-agent-prose.js) is ours, so re-running it is
// safe and deterministic.
//   node scripts/build-catalog.js [catalog-facts.json [agent-facts.json]]
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '..');
const factsPath = process.argv[2] || path.resolve(root, '../shared/reference/catalog/evalhub-catalog-facts.json');
const facts = JSON.parse(fs.readFileSync(factsPath, 'utf8'));
// Which providers and benchmarks carry an `agent` block upstream, with its enums, tags, entry
// counts and score range bounds; the sentences are ours (scripts/catalog-agent-prose.js).
const agentFactsPath = process.argv[3] || path.resolve(path.dirname(factsPath), 'evalhub-agent-facts.json');
const { providerAgent, benchmarkAgent, checkCoverage } = require('./catalog-agent-prose')(JSON.parse(fs.readFileSync(agentFactsPath, 'utf8')).providers);
checkCoverage(facts.providers);

const PROVIDER_PROSE = {
  lm_evaluation_harness: {
    description:
      'Runs tasks from EleutherAI lm-evaluation-harness against an OpenAI-compatible endpoint: multiple-choice tasks scored by log-likelihood and generative tasks scored by exact match and similar metrics.',
    local: { executor: 'lm_evaluation_harness' },
  },
  lighteval: {
    description: 'Hugging Face Lighteval tasks (math, reasoning, knowledge and code) run through a LiteLLM endpoint.',
    local: { executor: 'lighteval' },
  },
  inspect: {
    description: 'UK AISI Inspect evaluations: alignment probes, agentic tasks, domain knowledge and cyber-security challenges.',
  },
  garak: {
    description: 'NVIDIA garak red-teaming scans that probe a model for jailbreaks, prompt injection, toxic output and insecure code.',
    local: { executor: 'garak' },
  },
  'garak-kfp': {
    description: 'The garak red-teaming scans, executed as Kubeflow Pipelines runs for long or large scans.',
  },
  guidellm: {
    description: 'GuideLLM load tests that measure throughput and latency (time to first token, inter-token latency) of an inference server.',
    local: { executor: 'guidellm' },
  },
  ragas: {
    description: 'RAGAS metrics for retrieval-augmented generation: faithfulness, answer relevancy and context quality.',
    local: { executor: 'ragas' },
  },
  deepeval: {
    description: 'DeepEval LLM-as-judge metrics for RAG answers, hallucination, correctness and summaries.',
  },
  'ibm-clear': {
    description: 'IBM CLEAR error analysis of agent traces: finds and groups recurring failure patterns.',
  },
};

const COLLECTION_PROSE = {
  'leaderboard-v2': 'The six tasks of the Open LLM Leaderboard v2, scored on a 0-100 scale.',
  'standard-llm-evals-v1': 'A general-purpose release gate: math, knowledge, instruction following, long context and code.',
  'reasoning-v1': 'Multi-step reasoning across math word problems, science and logic.',
  'instruction-following-v1': 'How well a chat model follows explicit formatting and content instructions.',
  'coding-v1': 'Code generation on recent competitive-programming problems.',
  'long-context-v1': 'Retrieval of several needles from long multi-turn conversations, weighted towards the hardest variants.',
  'safety-and-fairness-v1': 'Truthfulness, toxicity, social bias and ethics checks for a model before release.',
  'toxicity-and-ethical-principles': 'Toxic language detection, truthfulness and helpful-honest-harmless alignment.',
  'model-validation': 'A red-team validation scan: the model passes when intent-based attacks rarely succeed.',
  'open-telco-v1': 'Telecommunications knowledge: standards, network logs and telecom math.',
};

function words(s) {
  return String(s).replace(/[_-]+/g, ' ');
}

function benchmarkDescription(b, providerName) {
  const metric = b.primary_score ? b.primary_score.metric : (b.metrics || [])[0];
  const dir = b.primary_score && b.primary_score.lower_is_better ? 'lower is better' : 'higher is better';
  const parts = [`${b.name}. A ${words(b.category)} evaluation from ${providerName}`];
  if (metric) parts.push(`, reported as ${metric} (${dir})`);
  if (b.dataset_size) parts.push(` over ${b.dataset_size} examples`);
  return parts.join('') + '.';
}

function clean(obj) {
  if (Array.isArray(obj)) return obj.map(clean);
  if (obj && typeof obj === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = clean(v);
    return out;
  }
  return obj;
}

fs.mkdirSync(path.join(root, 'config/providers'), { recursive: true });
fs.mkdirSync(path.join(root, 'config/collections'), { recursive: true });

for (const p of facts.providers) {
  const prose = PROVIDER_PROSE[p.id] || { description: `${p.name} evaluations.` };
  const doc = clean({
    id: p.id,
    name: p.name,
    title: p.title,
    description: prose.description,
    tags: p.tags || [p.id],
    agent: providerAgent(p.id),
    runtime: {
      k8s: {
        image: p.k8s_image,
        entrypoint: p.k8s_entrypoint,
        cpu_request: '250m',
        memory_request: '512Mi',
        cpu_limit: '1',
        memory_limit: '2Gi',
      },
      ...(prose.local ? { local: prose.local } : {}),
    },
    benchmarks: p.benchmarks.map((b) => ({
      id: b.id,
      name: b.name,
      description: benchmarkDescription(b, p.name),
      category: b.category,
      metrics: b.metrics,
      num_few_shot: b.num_few_shot ?? 0,
      dataset_size: b.dataset_size ?? 0,
      tags: b.tags,
      primary_score: b.primary_score,
      pass_criteria: b.pass_criteria,
      agent: benchmarkAgent(p.id, b),
    })),
  });
  fs.writeFileSync(path.join(root, 'config/providers', `${p.id}.yaml`), YAML.stringify(doc, { lineWidth: 0 }));
}

for (const c of facts.collections) {
  const doc = clean({
    id: c.id,
    name: c.name,
    category: c.category,
    description: COLLECTION_PROSE[c.id] || `${c.name}.`,
    tags: c.tags,
    pass_criteria: c.pass_criteria,
    benchmarks: c.benchmarks,
  });
  fs.writeFileSync(path.join(root, 'config/collections', `${c.id}.yaml`), YAML.stringify(doc, { lineWidth: 0 }));
}
console.log(`wrote ${facts.providers.length} providers and ${facts.collections.length} collections`);
