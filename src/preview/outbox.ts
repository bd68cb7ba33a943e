import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Night } from '../domain/night.js';
import type { RunReport } from '../domain/result.js';
import type { Draft } from '../run/pipeline.js';
import { dateOf } from '../run/report.js';
import { emlOf } from './eml.js';
import { indexPage, type PreviewMessage } from './index-page.js';

/**
 * The dry-run outbox: each message a dry run composes, written as it comes as `<id>.eml` (a message of another
 * night than the one asked for, from the look-back or a `--date A..B` range, as `<id>-<night>.eml`), and at the
 * end `index.html` listing them all. Files of the same name are replaced; other files in the folder are left alone.
 */
export class Outbox {
  private readonly messages: PreviewMessage[] = [];
  private readonly names = new Set<string>();
  private folder: Promise<unknown> | undefined;

  /** `nights`: the nights the run was asked for (null if unknown: every file then names its night). */
  constructor(
    readonly dir: string,
    private readonly nights: readonly Night[] | null,
  ) {}

  /** For `RunPorts.drafts`. */
  readonly add = async (draft: Draft): Promise<void> => {
    const file = this.nameFor(draft.result.id, draft.result.night);
    this.messages.push({ file, result: draft.result, message: draft.message });
    await this.ensureFolder();
    await writeFile(join(this.dir, file), await emlOf(draft.message));
  };

  get count(): number {
    return this.messages.length;
  }

  /** Writes index.html for the run's report; returns its path. */
  async finish(report: RunReport, generatedAt: Date): Promise<string> {
    await this.ensureFolder();
    const messages = [...this.messages].sort(
      (a, b) => a.result.id - b.result.id || a.result.night.localeCompare(b.result.night) || a.file.localeCompare(b.file),
    );
    const others = report.results.filter((r) => r.status !== 'dry-run');
    const path = join(this.dir, 'index.html');
    await writeFile(path, indexPage({ mode: report.mode, date: dateOf(report), generatedAt, messages, others }));
    return path;
  }

  /** Reserved before any await, so two messages composed at once never get one name. */
  private nameFor(id: number, night: Night): string {
    const only = this.nights?.length === 1 ? this.nights[0] : undefined;
    const base = night === only ? String(id) : `${id}-${night}`;
    let name = `${base}.eml`;
    for (let n = 2; this.names.has(name); n += 1) name = `${base}-${n}.eml`;
    this.names.add(name);
    return name;
  }

  private ensureFolder(): Promise<unknown> {
    this.folder ??= mkdir(this.dir, { recursive: true });
    return this.folder;
  }
}
