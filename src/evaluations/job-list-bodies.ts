import { Injectable } from '@nestjs/common';
import { Page } from '../domain/filters';
import { JobRecord } from '../domain/types';
import { JobReader } from './job-reader';
import { ListedJob } from './jobs.repository';

/**
 * The JSON answer of GET /jobs. Each job's view is rendered once per stored version and kept with
 * it (JobsRepository hands back the same ListedJob while the job is unchanged), so a list that is
 * polled, mostly of jobs that did not change since, costs no parsing and no serialising of them.
 */
@Injectable()
export class JobListBodies {
  private readonly rendered = new WeakMap<ListedJob, string>();

  constructor(private readonly reader: JobReader) {}

  of(page: Page<ListedJob>): string {
    const items = `[${page.items.map((j) => this.item(j)).join(',')}]`;
    // The page's own fields keep their order; no string value can hold an unescaped `"items":[]`.
    return JSON.stringify({ ...page, items: [] }).replace('"items":[]', () => `"items":${items}`);
  }

  private item(listed: ListedJob): string {
    let json = this.rendered.get(listed);
    if (json === undefined) {
      json = JSON.stringify(this.reader.view(JSON.parse(listed.raw) as JobRecord));
      this.rendered.set(listed, json);
    }
    return json;
  }
}
