import type { DeliveryAction, FailureClass } from './reading.js';

/**
 * Status codes and the class of a failure (docs/bounces.md#classes, #hard): the RFC 3463 code decides where it is
 * specific, the server's wording where the code is generic or missing.
 */

/** `5.1.1`, `4.4.7`, `5.0.0`: class 2, 4 or 5, subject and detail of up to three digits (RFC 3463 §2). */
/** `X.0.0` and `X.y.0` other than X.7.0 say only that something failed: the wording says what. */
const isGeneric = (status: string) => /^\d\.(?:0\.\d+|[1-6]\.0)$/.test(status);

const ENHANCED = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)/;
/** An SMTP reply code where servers write one: at a line's start or after `:`, `;`, `(`, `#`, `<<<` or `said`. */
const REPLY = /(?:^|[\s:;(#>"'[]|said)\s*([245][0-5]\d)(?=[\s:-]|$)/m;

const ENHANCED_ALL = new RegExp(ENHANCED.source, 'g');

/** The first specific RFC 3463 code in a text, else its first generic one: `5.1.0 … 550 5.7.1 …` → `5.7.1`. */
export function enhancedStatus(text: string | null | undefined): string | null {
  const codes = [...(text ?? '').matchAll(ENHANCED_ALL)].map((m) => `${m[1]}.${Number(m[2])}.${Number(m[3])}`);
  return codes.find((code) => !isGeneric(code)) ?? codes[0] ?? null;
}

export function replyCode(text: string | null | undefined): string | null {
  return text ? (REPLY.exec(text)?.[1] ?? null) : null;
}

/** docs/bounces.md#classes: the subjects and details that say what failed on their own. */
function classOfStatus(status: string): FailureClass | null {
  const [, subject, detail] = status.split('.').map(Number);
  if (subject === 1 && (detail === 1 || detail === 2 || detail === 6 || detail === 10)) return 'dead-address';
  if (subject === 1 && (detail === 7 || detail === 8)) return 'policy';
  if (subject === 2 && detail === 2) return 'mailbox-full';
  if (subject === 4 && detail === 7) return 'expired';
  if (subject === 7) return 'policy';
  return null;
}

/**
 * The wording of servers for each class, first match wins (docs/bounces.md#wording). A blocklist or the sender's
 * own address comes before the rest: "blocked by Spamhaus" names the sender's server, not the recipient's mailbox.
 */
const WORDING: readonly (readonly [FailureClass, RegExp])[] = [
  [
    'policy',
    /\b(?:block ?list|black ?list|blocklisted|blacklisted|dnsbl|rbl|spamhaus|spamcop|sorbs|barracuda ?(?:central|reputation)|reputation|sender (?:address|domain) (?:rejected|denied|invalid|not)|SPF|DKIM|DMARC|reverse (?:dns|lookup)|PTR record|not authori[sz]ed to (?:send|relay)|relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)|not allowed to relay|unauthenticated|authentication (?:required|failed)|my name was rejected|too many (?:connections|messages|recipients)|rate limit|connection (?:refused|limit)|helo)\b/i,
  ],
  // A disabled or suspended account exists: its owner or their IT can turn it back on.
  [
    'other',
    /\b(?:account|mailbox|user|address)(?: that you tried to reach)? (?:is |has been |was )?(?:disabled|inactive|suspended|deactivated|locked|frozen|discontinued)\b/i,
  ],
  [
    'dead-address',
    /\b(?:user(?:name)? (?:unknown|not found|does ?n[o']t exist)|unknown (?:user|recipient|mailbox|address|local[- ]part|alias)|no such (?:user|mailbox|recipient|account|address|person|local user)|(?:mailbox|recipient|address|account|user|addressee|e-?mail account)(?: name)? (?:is )?(?:unknown|not found|does ?n[o']t exist|not exist|unavailable: user)|(?:invalid|unknown|non-?existent|bad) (?:recipient|mailbox|address|user|account|destination address)|not a valid (?:recipient|mailbox|user|address)|recipient (?:address )?rejected: (?:user unknown|undeliverable|unknown|invalid)|no mailbox here by that name|(?:user|address) (?:is )?not (?:known|local|listed)|doesn'?t have an? [\w.-]+ account|is not a (?:registered|valid) (?:gateway )?user|no longer (?:valid|available|active|exists?|in use)|(?:has|have|mailbox) moved|moved permanently|host (?:or domain name )?(?:not found|unknown)(?!, try again)|unknown host|(?:domain|host) (?:name )?(?:not found|does not exist|unknown|is invalid)(?!, try again)|no such (?:domain|host)|unrouteable address|nxdomain|null mx|invalid domain|(?:illegal|invalid) host|not listed in [\w ]{0,30}directory|could ?n[o']t find (?:a|any) mail exchanger|no mx (?:record|host)s?|no smtp service|address (?:could ?n[o']t|can ?not|was not) be found|address not found|recipient address rejected: access denied)\b/i,
  ],
  [
    'mailbox-full',
    /\b(?:mail ?box (?:is |was )?(?:full|over ?quota|size limit)|mail ?box (?:has )?exceeded|over ?quota|quota (?:exceeded|exceed|full|violation)|exceed(?:s|ed)? (?:the |his |her |their |its )?(?:storage |mailbox |disk )?quota|insufficient (?:disk |system )?(?:space|storage)|full mail ?box|out of (?:disk )?(?:space|storage)|storage (?:limit|quota|space))\b/i,
  ],
  [
    'expired',
    /\b(?:retry (?:time(?:out)?|period) (?:exceeded|not reached|expired)|message (?:has )?expired|expired after|(?:too long|been) in (?:the )?queue|delivery time expired|could not be delivered (?:within|for|in) [^.]{0,30}(?:days?|hours?)|gave up|giving up|timed? ?out|time limit)\b/i,
  ],
  [
    'spam-block',
    /\b(?:spam|junk|virus|malware|phishing|bulk mail|content (?:was )?(?:rejected|filtered|blocked)|message (?:content )?(?:was )?(?:rejected|refused|blocked) (?:as|because|due)|suspicious|filtered)\b/i,
  ],
  ['policy', /\b(?:policy|not permitted|access denied|administrative prohibition|prohibited|blocked|refused|denied)\b/i],
];

function classOfWording(text: string): FailureClass | null {
  for (const [failureClass, wording] of WORDING) if (wording.test(text)) return failureClass;
  return null;
}

/**
 * The SMTP exchange reached DATA: the server accepted the recipient at RCPT TO and refused only the message, so
 * "unknown user" then is a filter's answer, not proof that the address is dead (docs/bounces.md#after-data).
 */
const AFTER_DATA = /(?:\bin reply to end of DATA|\bafter (?:end of )?data\b|\bSMTP command:? ?DATA\b|\bduring (?:the )?DATA\b)/i;
const AT_RCPT = /(?:\bin reply to RCPT TO|\bafter RCPT TO|>>> RCPT TO)/i;

/**
 * The class of one recipient's failure: the status code where it is specific, else the first of the texts (the
 * server's diagnostic, then the report's words about the recipient) whose wording says.
 */
export function classify(status: string | null, texts: readonly (string | null)[]): FailureClass {
  const said = texts.filter((t): t is string => !!t);
  const fromStatus = status && !isGeneric(status) ? classOfStatus(status) : null;
  const fromWording = said.map(classOfWording).find((c) => c) ?? null;
  if (fromStatus === 'policy' && fromWording === 'spam-block') return 'spam-block';
  if (fromStatus) return fromStatus;
  const all = said.join('\n');
  if (fromWording === 'dead-address' && AFTER_DATA.test(all) && !AT_RCPT.test(all)) return 'spam-block';
  return fromWording ?? (status ? classOfStatus(status) : null) ?? 'other';
}

/**
 * docs/bounces.md#hard: the address itself is bad. Only a failed delivery of class `dead-address` whose codes, if it
 * has any, are permanent: a 4.x.x or 4xx answer may come out differently on the next try.
 */
export function isHard(action: DeliveryAction, failureClass: FailureClass, status: string | null, reply: string | null): boolean {
  if (action !== 'failed' || failureClass !== 'dead-address') return false;
  return !status?.startsWith('4') && !reply?.startsWith('4');
}
