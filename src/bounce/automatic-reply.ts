/**
 * RFC 3834 automatic responses (vacation, out of office) and the forms servers use without its header
 * (docs/bounces.md#auto-replies). They are never bounces: the address works, its owner is away.
 */

export interface HeaderField {
  key: string;
  value: string;
}

const AUTO_REPLY_HEADERS: readonly (readonly [string, RegExp])[] = [
  ['auto-submitted', /^\s*auto-replied\b/i],
  ['x-autoreply', /\S/],
  ['x-autorespond', /\S/],
  ['x-autoresponder', /\S/],
  ['precedence', /^\s*auto[_-]reply\b/i],
  ['x-ms-exchange-inbox-rules-loop', /\S/],
];

/** Subjects that mail clients and servers give their automatic answers. */
const AUTO_REPLY_SUBJECT =
  /^\s*(?:\[?(?:auto(?:matic)?[ -]?(?:reply|response|respons|answer|antwort)|autoreply|auto|out of (?:the )?office|ooo|away|vacation|abwesen\w*|absence|r[ée]ponse automatique|automatische antwort|respuesta autom[áa]tica|fuera de la oficina|risposta automatica)\b\]?\s*[:-]|(?:out of (?:the )?office|on (?:vacation|holiday|leave)|away until|away from (?:the office|my desk)|automatic reply|auto[- ]?reply|abwesenheitsnotiz|vacation reply|autoresponse)\b)/i;

/** What a person's out-of-office text says near its start, for replies that carry no header saying so. */
const AWAY_WORDING =
  /\b(?:(?:i am|i'm|i will be|i'll be) (?:currently )?(?:out of (?:the )?office|away|on (?:vacation|holiday|leave|annual leave|sick leave)|travel+ing|not in the office)|(?:limited|no) access to (?:my )?e-?mail|(?:be back|return) (?:in the office |to the office )?on|out of (?:the )?office (?:until|from|till|through))\b/i;

export function autoReplyEvidence(headers: readonly HeaderField[], subject: string, text: string): string | null {
  for (const [key, value] of AUTO_REPLY_HEADERS) {
    const field = headers.find((h) => h.key === key && value.test(h.value));
    if (field) return `${field.key}: ${field.value.trim()}`;
  }
  if (AUTO_REPLY_SUBJECT.test(subject)) return 'subject';
  if (AWAY_WORDING.test(text.slice(0, 2000))) return 'text';
  return null;
}
