import * as fs from 'fs';
import * as path from 'path';
import { SampleScores } from '../domain/uncertainty';

export { lmEvalSampleScores, metricStatistics, ragasSampleScores, SAMPLE_SCORES_ARTIFACT } from '../domain/uncertainty';
export type { SampleScores } from '../domain/uncertainty';

/** Writes per-sample scores where the run's other files are; returns the file. */
export function writeSampleScores(dir: string, benchmarkId: string, samples: readonly SampleScores[]): string {
  const file = path.join(dir, `sample-scores_${benchmarkId.replace(/[^\w.-]/g, '_')}.jsonl`);
  fs.writeFileSync(file, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  return file;
}
