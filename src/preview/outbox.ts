import { join } from 'node:path';
import type { Night } from '../domain/night.js';
import type { NoticeKey } from '../domain/notice.js';
import type { Result, RunReport } from '../domain/result.js';
import type { Mailer, Submission } from '../mail/mailer.js';
import type { OutgoingMessage } from '../mail/message.js';
import { dateOf } from '../run/report.js';
import { emlOf } from './eml.js';
import { indexPage, type PreviewMessage } from './index-page.js';
import { preparedFolder, writePrivateFile } from './out-folder.js';

const draftKey = (id: number, night: Night): string => `${id}|${night}`;

/**
 * The dry-run outbox, a mailer that delivers nothing: each message a dry run composes is written as it comes as
 * `<id>.eml` (a message of another night than the one asked for, from the look-back or a `--date A..B` range, as
 * `<id>-<night>.eml`), and at the end `index.html` lists them all. The folder is this user's (made 0700 when new),
 * each file 0600; files of the same name are replaced, other files in the folder are left alone.
 */
export class Outbox implements Mailer {
  readonly delivers = false;
  private readonly drafts: { file: string; key: NoticeKey; message: OutgoingMessage }[] = [];
  private readonly names = new Set<string>();

  /** `nights`: the nights the run was asked for (null if unknown: every file then names its night). */
  private constructor(
    readonly dir: string,
    private readonly nights: readonly Night[] | null,
  ) {}

  /** The outbox of `dir`, its folder made or checked now: an OutFolderError if it is not this user's. */
  static async open(dir: string, nights: readonly Night[] | null): Promise<Outbox> {
    await preparedFolder(dir);
    return new Outbox(dir, nights);
  }

  async send(message: OutgoingMessage, about: NoticeKey | null): Promise<Submission> {
    // The digest is not a preview: a dry run mails nobody about its problems.
    if (!about) return { kind: 'drafted' };
    const file = this.nameFor(about.notificationId, about.night);
    this.drafts.push({ file, key: about, message });
    await writePrivateFile(join(this.dir, file), await emlOf(message));
    return { kind: 'drafted' };
  }

  async close(): Promise<void> {}

  get count(): number {
    return this.drafts.length;
  }

  /** Writes index.html for the run's report; returns its path. */
  async finish(report: RunReport, generatedAt: Date): Promise<string> {
    // Each draft's result looked up in a map built once: a search per draft is quadratic in the rows of a big run.
    const drafted = new Map<string, Result>();
    for (const result of report.results) {
      const key = draftKey(result.id, result.night);
      if (result.status === 'dry-run' && !drafted.has(key)) drafted.set(key, result);
    }
    const messages = this.drafts
      .flatMap(({ file, key, message }): PreviewMessage[] => {
        const result = drafted.get(draftKey(key.notificationId, key.night));
        return result ? [{ file, result, message }] : [];
      })
      .sort((a, b) => a.result.id - b.result.id || a.result.night.localeCompare(b.result.night) || a.file.localeCompare(b.file));
    const others = report.results.filter((r) => r.status !== 'dry-run');
    const path = join(this.dir, 'index.html');
    await writePrivateFile(path, indexPage({ mode: report.mode, date: dateOf(report), generatedAt, messages, others }));
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
}
