/**
 * V8 flags the API and worker processes run with (`npm start`, `npm run start:api|worker`, the
 * image's NODE_OPTIONS, the benches). The young generation's default ceiling (16 MB per
 * semi-space) let an idle API hold ~25 MB and a loaded one ~60 MB more than it uses (idle API
 * 141 -> 115 MB, worker 141 -> 96 MB), at no measurable cost on the job read. A cap on the old
 * generation would cut the peak further but costs 15-40% of the reads' throughput, and a page
 * of every job (`limit=0`) of a large store could then exhaust it: not set.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4'];
