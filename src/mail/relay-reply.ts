/**
 * The relay's name for a message it accepted, from its reply to DATA (docs/sending.md#relay-replies): its bounces name
 * the message by it. Postfix `250 2.0.0 Ok: queued as 4XyZ`, Exim `250 OK id=1tAbCd-000123-Xy`, sendmail
 * `250 2.0.0 5B1Hx2Lw012345 Message accepted for delivery`; null for a reply that names none.
 */
export function queueIdOf(reply: string): string | null {
  const named =
    /\bqueued as ([^\s;,]+)/i.exec(reply) ?? /\bid=([^\s;,]+)/i.exec(reply) ?? /^250[ -]2\.0\.0 (\S+) Message accepted/i.exec(reply);
  return named?.[1] ?? null;
}
