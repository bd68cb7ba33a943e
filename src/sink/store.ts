import type { SinkMessage } from './message.js';
import { headerValues } from './mime.js';

export const SEARCH_KINDS = ['from', 'to', 'containing'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** Every received message, in memory, oldest first. */
export class MessageStore {
  #messages: SinkMessage[] = [];

  add(message: SinkMessage): void {
    this.#messages.push(message);
  }

  /** A snapshot, oldest first. */
  all(): readonly SinkMessage[] {
    return [...this.#messages];
  }

  get(id: string): SinkMessage | undefined {
    return this.#messages.find((m) => m.id === id);
  }

  delete(id: string): boolean {
    const before = this.#messages.length;
    this.#messages = this.#messages.filter((m) => m.id !== id);
    return this.#messages.length < before;
  }

  clear(): void {
    this.#messages = [];
  }

  /** MailHog's search: case-insensitive substring, oldest first. */
  search(kind: SearchKind, query: string): readonly SinkMessage[] {
    const needle = query.toLowerCase();
    return this.#messages.filter((m) => searchedText(m, kind).some((text) => text.toLowerCase().includes(needle)));
  }
}

function searchedText(message: SinkMessage, kind: SearchKind): readonly string[] {
  const headers = message.content.headers;
  switch (kind) {
    case 'from':
      return [message.envelope.from, ...headerValues(headers, 'From')];
    case 'to':
      return [...message.envelope.to, ...headerValues(headers, 'To')];
    case 'containing':
      // beyond MailHog: the decoded texts too, so quoted-printable or encoded words do not hide a match
      return [
        message.content.body,
        ...Object.values(headers).flat(),
        ...[message.subject, message.text, message.html].filter((text) => text !== undefined),
      ];
  }
}
