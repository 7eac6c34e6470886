/** What a commit gives each item it carried: its own result or its own error. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit per key: while one commit for a key is in flight, later items for that key wait
 * and then go together in the next commit. Concurrent changes of one document (an adapter's
 * events, several adapters of one job) then cost one compare-and-set per round instead of one
 * each, and never conflict with each other in this process. Each item still gets its own
 * outcome; a commit that fails as a whole fails every item it carried.
 */
export class GroupCommit<T, R> {
  private readonly queues = new Map<string, Waiting<T, R>[]>();

  constructor(private readonly commit: (key: string, items: T[]) => Promise<ItemOutcome<R>[]>) {}

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) return void queue.push({ item, resolve, reject });
      this.queues.set(key, []);
      void this.drain(key, [{ item, resolve, reject }]);
    });
  }

  private async drain(key: string, batch: Waiting<T, R>[]): Promise<void> {
    for (;;) {
      try {
        const outcomes = await this.commit(key, batch.map((w) => w.item));
        batch.forEach((w, i) => {
          const o = outcomes[i];
          if (o?.ok) w.resolve(o.value);
          else w.reject(o ? o.error : new Error('the commit gave no outcome for this item'));
        });
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
      const next = this.queues.get(key) ?? [];
      if (next.length === 0) {
        this.queues.delete(key);
        return;
      }
      this.queues.set(key, []);
      batch = next;
    }
  }
}
