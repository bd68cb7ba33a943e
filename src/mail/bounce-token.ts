/**
 * The bounce token (VERP): each recipient's copy of a message goes out with the envelope sender
 * `<local>+<send id>-<recipient>-<mac>@<domain>`, so a bounce names the send record row and the recipient it is about
 * even when it carries no machine-readable report, and a forged one is told apart by its HMAC
 * (docs/sending.md#the-token).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EmailAddress } from '../addresses/index.js';
import { SettingError } from '../config/setting-error.js';

/**
 * What an address says about a bounce: which row and recipient it is about; a token whose HMAC fails, with the row it
 * claims as written (any digits: a claim, maybe of no row at all); or no token.
 */
export type TokenReading = { kind: 'valid'; sendId: number; recipient: number } | { kind: 'forged'; claimed: string } | { kind: 'none' };

/** 64 bits of HMAC-SHA256, in lower-case hex: safe from servers that change the case of a local part. */
const MAC_HEX = 16;
/** The longest token: a bigserial id, a recipient position below 1000, the MAC. */
const MAX_TOKEN = String(2n ** 63n - 1n).length + 1 + 3 + 1 + MAC_HEX;
const MAX_LOCAL_PART = 64;
const MAX_RECIPIENT = 999;
/** The secret must be hard to guess: at least 128 bits as random base64 or hex would give. */
const MIN_SECRET = 16;
const SHAPE = /^(\d{1,19})(?:-(\d{0,3})(?:-([0-9a-z]*))?)?$/;

export class BounceTokens {
  private readonly local: string;
  private readonly domain: string;

  /** Throws a SettingError when the address leaves no room for a token, or the secret is too short to keep. */
  constructor(
    address: EmailAddress,
    private readonly secret: string,
  ) {
    const at = address.lastIndexOf('@');
    this.local = address.slice(0, at);
    this.domain = address.slice(at + 1);
    if (this.local.includes('+'))
      throw new SettingError('BOUNCE_ADDRESS', `must not contain "+": the token goes after it (got "${address}")`);
    const room = MAX_LOCAL_PART - 1 - MAX_TOKEN;
    if (this.local.length > room)
      throw new SettingError('BOUNCE_ADDRESS', `needs a local part of at most ${room} characters, to leave room for the token`);
    if (secret.length < MIN_SECRET)
      throw new SettingError('BOUNCE_SECRET', `must be at least ${MIN_SECRET} characters, e.g. the output of "openssl rand -hex 32"`);
  }

  /** The bare bounce address, for mail that has no send record row (the digest). */
  get address(): string {
    return `${this.local}@${this.domain}`;
  }

  /** The envelope sender of the copy of message `sendId` for its `recipient`-th envelope recipient (from 0). */
  senderFor(sendId: number, recipient: number): string {
    if (!Number.isSafeInteger(sendId) || sendId < 1) throw new RangeError(`no send record row ${sendId}`);
    if (!Number.isInteger(recipient) || recipient < 0 || recipient > MAX_RECIPIENT)
      throw new RangeError(`a recipient position from 0 to ${MAX_RECIPIENT} (got ${recipient})`);
    return `${this.local}+${sendId}-${recipient}-${this.mac(sendId, recipient)}@${this.domain}`;
  }

  /**
   * What an address (a bounce's envelope recipient, or its To) says: `none` when it is not the bounce address with a
   * token, `forged` when it names a row but its HMAC does not match (cut short on the way, or made up).
   */
  read(address: string): TokenReading {
    const text = address.trim().replace(/^<(.*)>$/, '$1');
    const at = text.lastIndexOf('@');
    if (at < 0 || text.slice(at + 1).toLowerCase() !== this.domain.toLowerCase()) return { kind: 'none' };
    const local = text.slice(0, at).toLowerCase();
    const prefix = `${this.local.toLowerCase()}+`;
    if (!local.startsWith(prefix)) return { kind: 'none' };
    const shape = SHAPE.exec(local.slice(prefix.length));
    if (!shape) return { kind: 'none' };
    const claimed = shape[1] as string;
    const sendId = Number(claimed);
    const recipient = Number(shape[2]);
    const mac = shape[3];
    const canonical = String(sendId) === claimed && String(recipient) === shape[2];
    if (!Number.isSafeInteger(sendId) || mac === undefined || !canonical) return { kind: 'forged', claimed };
    const expected = Buffer.from(this.mac(sendId, recipient));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'forged', claimed };
    return { kind: 'valid', sendId, recipient };
  }

  private mac(sendId: number, recipient: number): string {
    return createHmac('sha256', this.secret).update(`yougotdata bounce ${sendId} ${recipient}`).digest('hex').slice(0, MAC_HEX);
  }
}
