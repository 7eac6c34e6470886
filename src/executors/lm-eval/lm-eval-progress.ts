import { JobPhase } from '../../domain/types';

export interface Progress {
  phase: JobPhase;
  done?: number;
  total?: number;
}

/**
 * lm-eval has no machine-readable progress: read its log lines and tqdm bars. Building contexts
 * is loading data; "Requesting API: 37%| … | 37/100" is the evaluation itself.
 */
export function progressFromLine(line: string): Progress | undefined {
  if (/Building contexts for/.test(line) || /Loading|load_dataset/i.test(line)) return { phase: 'loading_data' };
  const bar = /Requesting API:\s*(\d+)%\|.*?\|\s*(\d+)\/(\d+)/.exec(line);
  if (bar) {
    return { phase: 'running_evaluation', done: Number(bar[2]), total: Number(bar[3]) };
  }
  if (/Running (loglikelihood|generate_until|loglikelihood_rolling) requests/.test(line)) return { phase: 'running_evaluation' };
  if (/Saving results aggregated|Saving per-task samples/.test(line)) return { phase: 'persisting_artifacts' };
  return undefined;
}
