// The trivial adapter (trivial-adapter.sh) as a provider of either server, and the small HTTP
// listener its stamps go to.
const http = require('http');
const path = require('path');
const { json } = require('./harness');

const ADAPTER = path.join(__dirname, 'trivial-adapter.sh');
/** Its id on upstream, where providers come from YAML files; EvalHub chooses the id itself. */
const UPSTREAM_PROVIDER_ID = 'bench_trivial';

/** Receives the adapter's stamps: job id → {start, first_event, done?, events_url, codes}. */
async function stampServer() {
  const waiting = new Map();
  const got = new Map();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.end();
      const s = JSON.parse(body);
      got.set(s.job, s);
      waiting.get(s.job)?.(s);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/stamp`,
    /** Resolves with the job's stamps once its adapter has sent them. */
    wait: (job) => (got.has(job) ? Promise.resolve(got.get(job)) : new Promise((r) => waiting.set(job, r))),
    close: () => server.close(),
  };
}

/** Registers the adapter as a local provider of a running EvalHub; resolves to its id. */
async function registerOnEvalHub(baseUrl) {
  const r = await json('POST', `${baseUrl}/api/v1/evaluations/providers`, {
    name: 'Trivial bench adapter',
    title: 'Trivial bench adapter',
    benchmarks: [{ id: 'trivial', name: 'Trivial', category: 'custom', primary_score: { metric: 'accuracy' }, pass_criteria: { threshold: 0.5 } }],
    runtime: { local: { command: `sh ${ADAPTER}` } },
  });
  if (r.status !== 201) throw new Error(`provider: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.resource.id;
}

/** The same provider as an upstream catalog file, for startUpstream's extraProviders. */
function upstreamProviderFiles() {
  return {
    [`${UPSTREAM_PROVIDER_ID}.yaml`]: [
      `id: ${UPSTREAM_PROVIDER_ID}`,
      'name: Trivial bench adapter',
      'title: Trivial bench adapter',
      'description: The benches trivial adapter.',
      'runtime:',
      '  local:',
      `    command: sh ${ADAPTER}`,
      'benchmarks:',
      '  - id: trivial',
      '    name: Trivial',
      '    description: Trivial.',
      '    category: custom',
      '    metrics: [accuracy]',
      '    primary_score: {metric: accuracy, lower_is_better: false}',
      '    pass_criteria: {threshold: 0.5}',
      '',
    ].join('\n'),
  };
}

/** A job of one trivial benchmark. */
function trivialJob(providerId, params, name) {
  return { name, model: { url: 'http://127.0.0.1:9/v1', name: 'none' }, benchmarks: [{ id: 'trivial', provider_id: providerId, parameters: params }] };
}

module.exports = { stampServer, registerOnEvalHub, upstreamProviderFiles, trivialJob, UPSTREAM_PROVIDER_ID };
