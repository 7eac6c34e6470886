import { Z95 } from './statistics';
import { lmEvalSampleScores, metricStatistics, ragasSampleScores, weightedInterval } from './uncertainty';

describe('metricStatistics', () => {
  it("takes the backend's stderr where it reports one, with the sample count", () => {
    const s = metricStatistics({ acc: 0.6, acc_stderr: 0.05 }, undefined, 100);
    expect(s).toEqual({ acc: { n: 100, stderr: 0.05, ci95: [0.6 - Z95 * 0.05, 0.6 + Z95 * 0.05], method: 'backend_stderr' } });
  });
  it('bootstraps from per-sample scores otherwise; a metric with neither gets none', () => {
    const samples = Array.from({ length: 50 }, (_, i) => ({ id: String(i), scores: { em: i % 2 } }));
    const s = metricStatistics({ em: 0.5, other: 0.3 }, samples);
    expect(s.em).toMatchObject({ n: 50, method: 'bootstrap' });
    expect(s.em.ci95[0]).toBeLessThan(0.5);
    expect(s.em.ci95[1]).toBeGreaterThan(0.5);
    expect(s.other).toBeUndefined();
    expect(metricStatistics(undefined)).toEqual({});
  });
});

describe('weightedInterval', () => {
  it('√(Σ w² se²) / Σ w around the weighted mean; none when a term has no stderr', () => {
    const i = weightedInterval([
      { weight: 1, value: 0.5, stderr: 0.1 },
      { weight: 1, value: 0.7, stderr: 0.1 },
    ])!;
    expect(i.stderr).toBeCloseTo(Math.sqrt(0.02) / 2, 12);
    expect(i.ci95[0]).toBeCloseTo(0.6 - Z95 * i.stderr, 12);
    expect(weightedInterval([{ weight: 1, value: 0.5 }])).toBeUndefined();
  });
});

describe('lmEvalSampleScores', () => {
  it('one entry per document, keyed by its hash; the none filter keeps plain names, others are suffixed', () => {
    const lines = [
      { doc_id: 0, doc_hash: 'h0', filter: 'none', metrics: ['acc', 'acc_norm'], acc: 1.0, acc_norm: 0.0 },
      { doc_id: 1, doc_hash: 'h1', filter: 'none', metrics: ['acc', 'acc_norm'], acc: 0.0, acc_norm: 1.0 },
      { doc_id: 0, doc_hash: 'h0', filter: 'strict', metrics: ['exact_match'], exact_match: true },
    ];
    expect(lmEvalSampleScores(lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"cut')).toEqual([
      { id: 'h0', scores: { acc: 1, acc_norm: 0, exact_match_strict: 1 } },
      { id: 'h1', scores: { acc: 0, acc_norm: 1 } },
    ]);
  });
});

describe('ragasSampleScores', () => {
  it('one entry per row keyed by its question; unscored (null) values left out', () => {
    const jsonl = [
      { row: 0, user_input: 'Where is Paris?', scores: { faithfulness: 1, answer_relevancy: null } },
      { row: 1, user_input: 'Where is Rome?', scores: { faithfulness: 0.5, answer_relevancy: 0.8 } },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    expect(ragasSampleScores(jsonl)).toEqual([
      { id: 'Where is Paris?', scores: { faithfulness: 1 } },
      { id: 'Where is Rome?', scores: { faithfulness: 0.5, answer_relevancy: 0.8 } },
    ]);
  });
});
