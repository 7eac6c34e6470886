// Who runs next when workers are busy: a job's priority class first (high before normal before
// low), and within a class each tenant's units take turns. Plain functions over numbers; the
// queue turns them into BullMQ priorities (1 runs first).

export const JOB_PRIORITIES = ['low', 'normal', 'high'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

/** Each class owns a band of BullMQ priorities; a band holds a tenant's first BAND units in turn order. */
const BAND = 600_000;
const BAND_START: Record<JobPriority, number> = { high: 1, normal: 1 + BAND, low: 1 + 2 * BAND };

/**
 * The BullMQ priority of a unit: its class's band, plus how many units its tenant already has
 * waiting. Two tenants submitting at once so get 0, 1, 2 … each, and BullMQ (which breaks ties by
 * arrival) alternates them; a tenant with a long queue does not hold the other back.
 */
export function unitPriority(priority: JobPriority | undefined, tenantWaiting: number): number {
  return BAND_START[priority ?? 'normal'] + Math.max(0, Math.min(BAND - 1, Math.floor(tenantWaiting)));
}

/** The key that groups a tenant's waiting units (local mode has one tenant). */
export function fairShareGroup(tenant: string | undefined): string {
  return tenant ?? '-';
}

/** What queue places depend on in a job: which benchmarks have started and how they are run. */
export interface QueuedJob {
  status: { benchmarks: { benchmark_index: number; status: string }[] };
  runs?: { key: string; indexes: number[] }[];
}

/** The keys of a job's units that still have a benchmark that has not started (those may wait in the queue). */
export function waitingUnitKeys(job: QueuedJob): string[] {
  const started = startedIndexes(job);
  return (job.runs ?? []).filter((u) => u.indexes.some((i) => !started.has(i))).map((u) => u.key);
}

/** Each benchmark that has not started, with the queue place of the unit that runs it (units without a place are left out). */
export function benchmarkQueuePlaces(job: QueuedJob, unitPlaces: ReadonlyMap<string, number>): Map<number, number> {
  const started = startedIndexes(job);
  const places = new Map<number, number>();
  for (const unit of job.runs ?? []) {
    const place = unitPlaces.get(unit.key);
    if (place !== undefined) for (const i of unit.indexes) if (!started.has(i)) places.set(i, place);
  }
  return places;
}

function startedIndexes(job: QueuedJob): Set<number> {
  return new Set(job.status.benchmarks.filter((b) => b.status !== 'pending').map((b) => b.benchmark_index));
}
