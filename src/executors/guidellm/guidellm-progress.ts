import { JobPhase } from '../../domain/types';

export interface Progress {
  phase: JobPhase;
  done?: number;
  total?: number;
}

// "… - Benchmark 2 (throughput@512): completed | elapsed=7.5s | successful=10 errored=0 incomplete=0 | …"
const BENCHMARK_LINE = /Benchmark (\d+) \(([^)]+)\): (\w+) \| elapsed=([\d.]+)s \| successful=(\d+) errored=(\d+) incomplete=(\d+)/;

/**
 * guidellm's live progress with --disable-console-interactive: its loguru lines on stderr, one per
 * benchmark (strategy) event, at most every 10 s while one runs. Requests done = max_requests for
 * every finished strategy plus the running one's successful + errored, out of strategies ×
 * max_requests. A strategy that stops on max_seconds first jumps to its end when it completes.
 */
export function progressFromLine(line: string, strategies: number, maxRequests: number): Progress | undefined {
  const b = BENCHMARK_LINE.exec(line);
  if (b) {
    const k = Number(b[1]);
    const event = b[3];
    const done = Number(b[5]) + Number(b[6]);
    // `compile` (and `completed`) come after the strategy's last request, with successful=0 on compile.
    const per = Math.max(1, maxRequests);
    const total = Math.max(1, strategies) * per;
    const current = event === 'completed' || event === 'compile' ? per : Math.min(per, done);
    return { phase: 'running_evaluation', done: Math.min(total, Math.max(0, (k - 1) * per + current)), total };
  }
  if (/Starting benchmark for strategy:|Setup complete, starting benchmarks/.test(line)) return { phase: 'running_evaluation' };
  if (/datasets? resolved|Request loader resolved|Tokenizer resolved/.test(line)) return { phase: 'loading_data' };
  if (/backend validated/.test(line)) return { phase: 'initializing' };
  if (/All benchmarks finalized|Benchmarking complete/.test(line)) return { phase: 'persisting_artifacts' };
  return undefined;
}
