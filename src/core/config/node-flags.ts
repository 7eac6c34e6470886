import { setFlagsFromString } from 'v8';

/**
 * V8 flags the API and worker processes run with (`npm start`, `npm run start:api|worker`, the
 * image's NODE_OPTIONS, the benches). The young generation's default ceiling (16 MB per
 * semi-space) let an idle API hold ~25 MB and a loaded one ~60 MB more than it uses (idle API
 * 141 -> 115 MB, worker 141 -> 96 MB), at no measurable cost on the job read. A cap on the old
 * generation would cut the peak further but costs 15-40% of the reads' throughput, and a page
 * of every job (`limit=0`) of a large store could then exhaust it: not set.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4'];

/**
 * Environment the API and worker start with where EvalHub launches them (the all-in-one launcher,
 * the npm scripts, the image, the benches), unless already set. glibc gives each thread that
 * allocates its own malloc arena (up to 8 per core); two arenas kept the loaded API ~5 MB smaller
 * (anonymous memory 111 -> 106 MB at the end of the API load bench). It is read when the process
 * starts, so it cannot be set from inside like the V8 flags below.
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/**
 * V8 flags the API and worker set on themselves at start, so every launcher (npm, the image,
 * Kubernetes and compose commands) gets them: Node refuses these in NODE_OPTIONS.
 * `--heap-growing-percent=100`: after a major GC the old generation may grow to twice what stayed
 * live before the next one, instead of V8's dynamic factor of up to 4x when collections are
 * quick. Under the API load bench the API ended the load at 163-249 MB (about 40 MB live, the rest
 * garbage V8 had not yet collected, still held 10 s later); with 100, 154 MB. With 50, 135-140 MB,
 * but job reads and lists served ~20% fewer requests (more major GCs); with 100 about 5-10% fewer,
 * within this machine's run-to-run spread.
 * `--no-allocation-site-pretenuring`: V8 otherwise starts allocating straight into the old
 * generation at sites whose objects once survived scavenges, which under load (a Redis command
 * or response string in flight across a scavenge) turned per-request garbage old: five major GCs
 * per 5 s on the job read under wrk, three without, scavenges 590 -> 490 ms per 5 s, API CPU per
 * read -2 us, p99 8.3-11.6 -> 5.1-9.6 ms; the API ended the API load bench at 140 MB, not 151-157.
 */
export const RUNTIME_V8_FLAGS = ['--heap-growing-percent=100', '--no-allocation-site-pretenuring'];

export function applyRuntimeV8Flags(): void {
  for (const flag of RUNTIME_V8_FLAGS) setFlagsFromString(flag);
}
