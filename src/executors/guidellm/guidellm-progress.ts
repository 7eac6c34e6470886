import { JobPhase } from '../../domain/types';

export interface Progress {
  phase: JobPhase;
  percent?: number;
}

// "… - Benchmark 2 (throughput@512): completed | elapsed=7.5s | successful=10 errored=0 incomplete=0 | …"
const BENCHMARK_LINE = /Benchmark (\d+) \(([^)]+)\): (\w+) \| elapsed=([\d.]+)s \| successful=(\d+) errored=(\d+) incomplete=(\d+)/;

/**
 * guidellm's live progress with --disable-console-interactive: its loguru lines on stderr, one per
 * benchmark (strategy) event, at most every 10 s while one runs. Percent = finished strategies plus
 * the running one's share of max_requests (successful + errored), out of `strategies`. A strategy
 * that stops on max_seconds first jumps to its end when it completes.
 */
export function progressFromLine(line: string, strategies: number, maxRequests: number): Progress | undefined {
  const b = BENCHMARK_LINE.exec(line);
  if (b) {
    const k = Number(b[1]);
    const event = b[3];
    const done = Number(b[5]) + Number(b[6]);
    // `compile` (and `completed`) come after the strategy's last request, with successful=0 on compile.
    const share = event === 'completed' || event === 'compile' ? 1 : maxRequests > 0 ? Math.min(1, done / maxRequests) : 0;
    const total = Math.max(1, strategies);
    const percent = Math.floor((100 * Math.min(total, k - 1 + share)) / total);
    return { phase: 'running_evaluation', percent: Math.min(100, Math.max(0, percent)) };
  }
  if (/Starting benchmark for strategy:|Setup complete, starting benchmarks/.test(line)) return { phase: 'running_evaluation' };
  if (/datasets? resolved|Request loader resolved|Tokenizer resolved/.test(line)) return { phase: 'loading_data' };
  if (/backend validated/.test(line)) return { phase: 'initializing' };
  if (/All benchmarks finalized|Benchmarking complete/.test(line)) return { phase: 'persisting_artifacts' };
  return undefined;
}
