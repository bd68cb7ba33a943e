/** An SMTP reply the sink gives instead of accepting. */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

export type DropPoint = 'rcpt' | 'data';

/** What becomes of the reply to a message the sink took whole and kept: never sent, or lost with the connection. */
export type LostReply = 'silence' | 'drop';

interface RecipientRule {
  readonly address: string | RegExp;
  readonly reply: SmtpReply;
  remaining: number;
}

interface CountedReply {
  readonly reply: SmtpReply;
  remaining: number;
}

/**
 * Faults the sink injects for the job's tests; inert until one is set.
 * `times` counts occurrences from now on (Infinity: every one).
 */
export class SinkFaults {
  #recipients: RecipientRule[] = [];
  #data: CountedReply | undefined;
  #drops = new Map<DropPoint, number>();
  #lostReplies: { how: LostReply; remaining: number } | undefined;
  #logins: (CountedReply & { letThrough: number }) | undefined;

  /** RCPT TO of a matching address (a string matches case-insensitively) is answered with `reply`. */
  rejectRecipient(address: string | RegExp, reply: SmtpReply, times = Infinity): this {
    this.#recipients.push({ address, reply, remaining: times });
    return this;
  }

  /** The end of DATA is answered with `reply`, and the message not kept; replaces an earlier DATA fault. */
  rejectData(reply: SmtpReply, times = Infinity): this {
    this.#data = { reply, remaining: times };
    return this;
  }

  /** The client's socket is destroyed, without a reply, at its RCPT TO (or DATA) command; replaces an earlier drop there. */
  dropConnection(at: DropPoint, times = Infinity): this {
    this.#drops.set(at, times);
    return this;
  }

  /**
   * The whole message is received and kept, final dot included, and then its reply is lost: `silence` never sends it
   * (the connection stays open), `drop` destroys the connection instead. The client cannot tell whether it was taken.
   */
  loseDataReply(how: LostReply, times = Infinity): this {
    this.#lostReplies = { how, remaining: times };
    return this;
  }

  /** AUTH is answered with `reply` (535 for a wrong password), whatever the credentials, once `after` logins went through. */
  refuseLogin(reply: SmtpReply, times = Infinity, after = 0): this {
    this.#logins = { reply, remaining: times, letThrough: after };
    return this;
  }

  reset(): void {
    this.#recipients = [];
    this.#data = undefined;
    this.#drops.clear();
    this.#lostReplies = undefined;
    this.#logins = undefined;
  }

  /** Consumes one use of the first rule matching the address. */
  takeRecipientReply(address: string): SmtpReply | undefined {
    const rule = this.#recipients.find((r) => r.remaining > 0 && addressMatches(r.address, address));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.reply;
  }

  takeDataReply(): SmtpReply | undefined {
    if (!this.#data || this.#data.remaining <= 0) return undefined;
    this.#data.remaining -= 1;
    return this.#data.reply;
  }

  takeLostReply(): LostReply | undefined {
    if (!this.#lostReplies || this.#lostReplies.remaining <= 0) return undefined;
    this.#lostReplies.remaining -= 1;
    return this.#lostReplies.how;
  }

  takeLoginReply(): SmtpReply | undefined {
    if (!this.#logins || this.#logins.remaining <= 0) return undefined;
    if (this.#logins.letThrough > 0) {
      this.#logins.letThrough -= 1;
      return undefined;
    }
    this.#logins.remaining -= 1;
    return this.#logins.reply;
  }

  takeDrop(at: DropPoint): boolean {
    const remaining = this.#drops.get(at) ?? 0;
    if (remaining <= 0) return false;
    this.#drops.set(at, remaining - 1);
    return true;
  }
}

function addressMatches(pattern: string | RegExp, address: string): boolean {
  // search() ignores a /g pattern's lastIndex
  return typeof pattern === 'string' ? pattern.toLowerCase() === address.toLowerCase() : address.search(pattern) !== -1;
}
