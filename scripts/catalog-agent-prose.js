// Agent metadata of the system catalog, for scripts/build-catalog.js. Structure comes from the
// agent facts file (which providers and benchmarks have an `agent` block upstream, target_type,
// evaluates, complements, entry counts, score range bounds); every sentence here is ours.
// Building fails if the texts and the facts disagree (entry counts, a missing text).

const PROVIDER_AGENT = {
  lm_evaluation_harness: {
    summary: '188 standard academic tasks that score a model on knowledge, reasoning, maths and safety',
    recommended_when: [
      'The user wants to know how accurate a model is or how well it reasons',
      'The user names a standard benchmark such as MMLU, HellaSwag or ARC',
      "A broad check of a model's capabilities is needed",
      'Scores should be comparable with public leaderboards',
    ],
    hints: [
      'model.name should be a Hugging Face model id: lm-eval loads the tokenizer from the Hub by that name',
      'Gated models need an HF_TOKEN secret that the job can read',
      'num_examples shortens a run by sampling fewer items, at the price of noisier scores',
    ],
    result_interpretation: [
      'Most tasks report accuracy (acc or acc_norm), where higher is better',
      'On four-option multiple choice, random guessing scores about 0.25',
      'For multiple choice prefer acc_norm to acc: it corrects for answer length',
    ],
  },
  garak: {
    summary: 'Red-team scans of an LLM for jailbreaks, toxic output and OWASP LLM risks',
    recommended_when: [
      'The user asks whether a model is safe or produces toxic output',
      'The user wants to red-team or attack-test a model',
      'A safety gate is needed before a model is deployed',
      'The user refers to the OWASP Top 10 for LLM applications',
    ],
    hints: [
      'The target must serve OpenAI-compatible chat completions',
      'Full scans with many probes can take half an hour or longer',
      "The 'quick' benchmark (a single DAN probe, about two minutes) is a fast smoke test",
    ],
    result_interpretation: [
      'attack_success_rate is the share of attack attempts that got through',
      'Lower is better: 0.0 means the model resisted every attack',
      'A rate above 0.3 points to a serious weakness',
    ],
  },
  'garak-kfp': {
    summary: 'Red-team scans of an LLM for safety weaknesses, run as Data Science Pipelines',
    recommended_when: [
      'The user asks whether a model is safe or toxic and wants the scan run as a pipeline',
      'The user wants to red-team a model through Data Science Pipelines',
      'A pre-deployment safety gate should be part of a Kubeflow Pipelines workflow',
      'The user refers to the OWASP Top 10 for LLMs and wants pipeline orchestration',
    ],
    hints: [
      'Data Science Pipelines (Kubeflow Pipelines) must be set up in the cluster',
      'The target must serve OpenAI-compatible chat completions',
      'Full scans with many probes can take half an hour or longer',
      "The 'quick' benchmark (a single DAN probe, about two minutes) is a fast smoke test",
    ],
    result_interpretation: [
      'attack_success_rate is the share of attack attempts that got through',
      'Lower is better: 0.0 means the model resisted every attack',
      'A rate above 0.3 points to a serious weakness',
    ],
  },
};

// What each garak scan attacks with, for its result_interpretation.
const GARAK_SCANS = {
  intents: 'context-aware attacks built around harmful intents',
  owasp_llm_top10: 'probes for the OWASP Top 10 risks of LLM applications',
  avid: 'probes covering the whole AVID vulnerability taxonomy',
  avid_security: 'the security probes of the AVID taxonomy',
  avid_ethics: 'the AVID probes for unethical and biased output',
  avid_performance: 'the AVID probes that try to degrade answer quality',
  quality: 'probes that try to draw out toxic or harmful content',
  cwe: 'probes that try to make the model write code with known weaknesses (CWE)',
  quick: 'a single DAN jailbreak probe, run as a smoke test',
};

// Telecom benchmarks, with the GSMA open telco leaderboard of March 2026 (median, GPT-5, best).
const INSPECT_TEXT = {
  'inspect/telemath': 'Accuracy on numerical maths problems from telecoms; higher is better. GSMA leaderboard (March 2026): median about 0.42, GPT-5 0.79, best 0.87.',
  'inspect/teleqna': 'Accuracy on multiple-choice telecom knowledge questions; higher is better. GSMA leaderboard (March 2026): median about 0.75, GPT-5 0.84, best 0.91.',
  'inspect/telelogs': 'Accuracy at finding the root cause of 5G faults from network logs; higher is better. GSMA leaderboard (March 2026): median 0.23, GPT-5 0.78, best 0.96.',
  'inspect/3gpp-tsg': 'Accuracy at assigning 3GPP documents to their working group; higher is better. GSMA leaderboard (March 2026): median 0.43, GPT-5 0.58, best 0.81.',
};

// How an lm-eval primary metric reads.
const METRIC_TEXT = {
  acc_norm: 'Accuracy on multiple-choice items, normalised for answer length',
  acc: 'Share of items answered correctly',
  mc1: 'mc1 accuracy: how often the single correct option is chosen',
  mc1_acc: 'mc1 accuracy: how often the one true answer is chosen over common misconceptions',
  bleu: 'BLEU overlap between generated and reference answers',
  rouge: 'ROUGE overlap between generated and reference text',
  exact_match: 'Share of answers that match the reference exactly',
  inst_level_strict_acc: 'Share of individual instructions followed to the letter',
  accuracy_disambig: 'Accuracy on the disambiguated questions',
  ethics_cm_acc: 'Accuracy at judging everyday moral scenarios',
  hhh_acc: 'How often the helpful, honest and harmless answer is preferred',
  bias_score: 'Bias score: how often stereotyped sentences are preferred',
  gender_bias_score: 'Gender bias score: how far pronoun choices follow gender stereotypes',
  auc: 'Area under the retrieval-accuracy curve across context lengths',
};

// Meanings of the four bands 0.0-0.1, 0.1-0.3, 0.3-0.6, 0.6-1.0 where lower is better.
const FOUR_BANDS = {
  attack: ['Strong: attacks almost never succeed', 'Acceptable: some attacks get through under adversarial pressure', 'Worrying: the model is often exploitable', 'Critical: most attacks succeed'],
  bias: ['Strong: hardly any biased output', 'Acceptable: some bias shows under probing', 'Worrying: clear and repeated bias', 'Critical: bias in most answers'],
};

const SINGLE = /^[\d.]+$/;

/** What a score band means, from its bounds, the pass threshold and the metric's direction. */
function bandMeaning(range, ranges, b) {
  const t = b.pass_criteria.threshold;
  const lower = Boolean(b.primary_score.lower_is_better);
  if (SINGLE.test(range)) {
    return Number(range) === 0.25 ? 'What random guessing scores on four-option questions' : 'Chance level: no better than guessing';
  }
  const plus = /^([\d.]+)\+$/.exec(range);
  const span = /^([\d.]+)-([\d.]+)$/.exec(range);
  if (!plus && !span) throw new Error(`unknown score range '${range}' for ${b.id}`);
  const [from, to] = plus ? [Number(plus[1]), Infinity] : [Number(span[1]), Number(span[2])];
  if (lower) return to <= t ? `At or below the default pass threshold (${t}): a pass` : `Above the default pass threshold (${t}): a fail`;
  if (from >= t) return `At or above the default pass threshold (${t}): a pass`;
  const chance = ranges.find((r) => SINGLE.test(r));
  if (chance && to === Number(chance)) return Number(chance) === 0.25 ? 'Worse than random guessing on four-option questions' : 'Worse than chance';
  return `Below the default pass threshold (${t}): a fail`;
}

module.exports = function agentProse(facts) {
  /** A provider's agent block where upstream has one: its enums and tags, our sentences. */
  function providerAgent(id) {
    const f = facts[id];
    if (!f || !f.has_agent) return undefined;
    const prose = PROVIDER_AGENT[id];
    if (!prose) throw new Error(`no agent texts for provider ${id}`);
    for (const key of ['recommended_when', 'hints', 'result_interpretation']) {
      if (prose[key].length !== f[key].entries) throw new Error(`${id}.agent.${key}: ${prose[key].length} entries, upstream has ${f[key].entries}`);
    }
    if (prose.summary.length > 200) throw new Error(`${id}.agent.summary is over 200 characters`);
    return {
      evaluates: f.evaluates,
      recommended_when: prose.recommended_when,
      target_type: f.target_type,
      summary: prose.summary,
      complements: f.complements,
      hints: prose.hints,
      result_interpretation: prose.result_interpretation,
    };
  }

  /** A benchmark's agent block where upstream has one: upstream's bounds, our sentences. */
  function benchmarkAgent(providerId, b) {
    const f = facts[providerId] && facts[providerId].benchmarks_with_agent[b.id];
    if (!f) return undefined;
    const ranges = f.score_ranges || [];
    const metric = b.primary_score && b.primary_score.metric;
    let text;
    let bands;
    if (metric === 'attack_success_rate') {
      if (!GARAK_SCANS[b.id]) throw new Error(`no scan text for ${providerId}/${b.id}`);
      text = `Share of ${GARAK_SCANS[b.id]} that succeeded; lower is better and 0.0 means none did.`;
      bands = FOUR_BANDS.attack;
    } else if (INSPECT_TEXT[b.id]) {
      text = INSPECT_TEXT[b.id];
    } else {
      if (!METRIC_TEXT[metric]) throw new Error(`no metric text for ${providerId}/${b.id} (${metric})`);
      const lower = Boolean(b.primary_score.lower_is_better);
      text = lower ? `${METRIC_TEXT[metric]}; lower is better, and above 0.6 is a serious concern.` : `${METRIC_TEXT[metric]}; higher is better.`;
      if (lower && ranges.length === 4) bands = FOUR_BANDS.bias;
    }
    const out = { result_interpretation: text };
    if (ranges.length) out.score_ranges = ranges.map((range, i) => ({ range, meaning: bands ? bands[i] : bandMeaning(range, ranges, b) }));
    return out;
  }

  // Every benchmark the facts name must exist in the catalog, or a text would silently be lost.
  function checkCoverage(catalogProviders) {
    for (const [id, f] of Object.entries(facts)) {
      const p = catalogProviders.find((x) => x.id === id);
      for (const bid of Object.keys(f.benchmarks_with_agent)) {
        if (!p || !p.benchmarks.some((b) => b.id === bid)) throw new Error(`agent facts name ${id}/${bid}, which the catalog lacks`);
      }
    }
  }

  return { providerAgent, benchmarkAgent, checkCoverage };
};
