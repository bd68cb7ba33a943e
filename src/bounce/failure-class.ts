import type { DeliveryAction, FailureClass } from './reading.js';

/**
 * Status codes and the class of a failure (docs/bounces.md#classes, #hard): the RFC 3463 code decides where it is
 * specific, the server's wording where the code is generic or missing.
 */

/** `X.0.0` and `X.y.0` other than X.7.0 say only that something failed: the wording says what. */
const isGeneric = (status: string) => /^\d\.(?:0\.\d+|[1-6]\.0)$/.test(status);

/** `5.1.1`, `4.4.7`, `5.0.0`: class 2, 4 or 5, subject and detail of up to three digits (RFC 3463 §2). */
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

/** docs/bounces.md#after-data: X.2.0 is "the mailbox exists, but something about it caused this report" (RFC 3463). */
const saysMailboxExists = (status: string | null) => !!status && /^\d\.2\.0$/.test(status);

/** Our server's name, address, authentication, reputation or sending rate: what IT fixes, never the recipient's. */
const SENDER_SIDE =
  /\b(?:block ?list|black ?list|blocklisted|blacklisted|dnsbl|rbl|spamhaus|spamcop|sorbs|barracuda ?(?:central|reputation)|reputation|sender (?:address|domain) (?:rejected|denied|invalid|not)|SPF|DKIM|DMARC|reverse (?:dns|lookup)|PTR record|not authori[sz]ed to (?:send|relay)|relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)|not allowed to relay|unauthenticated|authentication (?:required|failed)|my name was rejected|too many (?:connections|messages|recipients)|rate limit|connection (?:refused|limit)|helo)\b/i;

const DEAD =
  /\b(?:user(?:name)? (?:unknown|not found|does ?n[o']t exist)|unknown (?:user|recipient|mailbox|address|local[- ]part|alias)|no such (?:user|mailbox|recipient|account|address|person|local user)|(?:mailbox|recipient|address|account|user|addressee|e-?mail account)(?: name)? (?:is )?(?:unknown|not found|does ?n[o']t exist|not exist|unavailable: user)|(?:invalid|unknown|non-?existent|bad) (?:recipient|mailbox|address|user|account|destination address)|invalid (?:final delivery )?user ?id|not a valid (?:recipient|mailbox|user|address)|recipient (?:address )?rejected: (?:user unknown|undeliverable|unknown|invalid)|no mailbox here by that name|(?:user|address) (?:is )?not (?:known|local|listed)|doesn'?t have an? [\w.-]+ account|is not a (?:registered|valid) (?:gateway )?user|no longer (?:valid|available|active|exists?|in use)|(?:has|have|mailbox) moved|moved permanently|host (?:or domain name )?(?:not found|unknown)(?!, try again)|unknown host|(?:domain|host) (?:name )?(?:not found|does not exist|unknown|is invalid)(?!, try again)|no such (?:domain|host)|unrouteable address|nxdomain|null mx|invalid domain|(?:illegal|invalid) host|not listed in [\w ]{0,30}(?:directory|name (?:&|and) address book)|could ?n[o']t find (?:a|any) mail exchanger|no mx (?:record|host)s?|no smtp service|address (?:could ?n[o']t|can ?not|was not) be found|address not found|recipient address rejected: access denied)\b/i;
/** Lotus Domino and Notes in Japanese: "not found in the directory", "not in the directory's list". */
const DEAD_JAPANESE = /ディレクトリ[^。\n]{0,8}(?:見つかりません|ありません)/;

/** A filter the recipient set refused this message: the address exists. */
const RECIPIENT_FILTER =
  /\b(?:spam|junk|virus|malware|phishing|bulk mail|content (?:was )?(?:rejected|filtered|blocked)|message (?:content )?(?:was )?(?:rejected|refused|blocked) (?:as|because|due)|suspicious|filtered|(?:e-?mail )?preferences of the (?:person|recipient)|recipient'?s? (?:preferences|filters?|rules))\b/i;

/**
 * The wording of servers for each class, first match wins (docs/bounces.md#wording). A blocklist or the sender's
 * own address comes before the rest: "blocked by Spamhaus" names the sender's server, not the recipient's mailbox.
 */
const WORDING: readonly (readonly [FailureClass, RegExp])[] = [
  ['policy', SENDER_SIDE],
  // A disabled or suspended account exists: its owner or their IT can turn it back on.
  [
    'other',
    /\b(?:account|mailbox|user|address)(?: that you tried to reach)? (?:is |has been |was )?(?:disabled|inactive|suspended|deactivated|locked|frozen|discontinued)\b/i,
  ],
  ['dead-address', DEAD],
  ['dead-address', DEAD_JAPANESE],
  [
    'mailbox-full',
    /\b(?:mail ?box (?:is |was )?(?:full|over ?quota|size limit)|mail ?box (?:has )?exceeded|over ?quota|quota (?:exceeded|exceed|full|violation)|exceed(?:s|ed)? (?:the |his |her |their |its )?(?:storage |mailbox |disk )?quota|insufficient (?:disk |system )?(?:space|storage)|full mail ?box|out of (?:disk )?(?:space|storage)|storage (?:limit|quota|space))\b/i,
  ],
  [
    'expired',
    /\b(?:retry (?:time(?:out)?|period) (?:exceeded|not reached|expired)|message (?:has )?expired|expired after|(?:too long|been) in (?:the )?queue|delivery time expired|could not be delivered (?:within|for|in) [^.]{0,30}(?:days?|hours?)|gave up|giving up|timed? ?out|time limit)\b/i,
  ],
  ['spam-block', RECIPIENT_FILTER],
  ['policy', /\b(?:policy|not permitted|access denied|administrative prohibition|prohibited|blocked|refused|denied)\b/i],
];

function classOfWording(text: string): FailureClass | null {
  for (const [failureClass, wording] of WORDING) if (wording.test(text)) return failureClass;
  return null;
}

const saysDead = (text: string) => DEAD.test(text) || DEAD_JAPANESE.test(text);

/**
 * A domain that takes no mail at all (RFC 7504's "host does not accept mail", a null MX): the address can never
 * work, whatever code the report gives (docs/bounces.md#classes). Never the sender's domain, nor mail "from" somewhere.
 */
const TAKES_NO_MAIL = /(?<!sender(?:'s)? )\b(?:host|domain)(?:\/domain)? does not accept (?:e-?)?mail\b(?! from)/i;

/** Zoho Mail labels every failed recipient "Invalid Address", a full mailbox too: the answer follows ERROR_CODE. */
const ZOHO_LABEL = /\bInvalid Address, (?=ERROR_CODE\b)/gi;

/**
 * The SMTP exchange reached DATA: the server accepted the recipient at RCPT TO and refused only the message, so
 * "unknown user" then is a filter's answer, not proof that the address is dead (docs/bounces.md#after-data).
 */
const AFTER_DATA = /(?:\bin reply to end of DATA|\bafter (?:end of )?data\b|\bSMTP command:? ?DATA\b|\bduring (?:the )?DATA\b)/i;
const AT_RCPT = /(?:\bin reply to RCPT TO|\bafter RCPT TO|>>> RCPT TO)/i;

/**
 * A transcript whose `>>> DATA` has exactly one answer: that answer is DATA's. With pipelining the answers to RCPT TO
 * come after the `>>> DATA` line too, and DATA then has its own ("503 Need RCPT"): two answers or more.
 */
function answeredAtData(text: string): boolean {
  const lines = text.split('\n').map((line) => line.trim());
  const data = lines.findLastIndex((line) => /^>>> DATA\b/i.test(line));
  if (data < 0) return false;
  const next = lines.findIndex((line, index) => index > data && line.startsWith('>>>'));
  return lines.slice(data + 1, next < 0 ? undefined : next).filter((line) => line.startsWith('<<<')).length === 1;
}

/** Yahoo checks recipients only after DATA, and documents this answer as "the user does not exist". */
const NO_ACCOUNT_THERE = /\bdoesn'?t have an? [\w.-]+ account\b/i;

/**
 * au (KDDI) answers "550 : User unknown", with no address, for mail its user's own filter refused; an address it
 * does not have gets "550 <address>: User unknown" (docs/bounces.md#providers).
 */
const AU_DOMAIN = /@(?:[\w-]+\.)*(?:ezweb\.ne\.jp|au\.com)$/i;
const AU_FILTER_ANSWER = /\b5\d\d:? +: *User unknown\b/i;

/** docs/bounces.md#after-data, #providers: an "unknown user" that the message itself shows is a filter's answer. */
function isFilterAnswer(status: string | null, all: string, recipient: string | null): boolean {
  if (saysMailboxExists(status)) return true;
  if (recipient && AU_DOMAIN.test(recipient) && AU_FILTER_ANSWER.test(all)) return true;
  return (AFTER_DATA.test(all) || answeredAtData(all)) && !AT_RCPT.test(all) && !NO_ACCOUNT_THERE.test(all);
}

/**
 * docs/bounces.md#classes: some servers put X.1.1 on every refusal at RCPT TO. Words that name another reason (a full
 * mailbox, a filter the recipient set, our server's reputation or sending rate) and never the address say why.
 */
function otherReasonThan511(fromWording: FailureClass | null, all: string): FailureClass | null {
  if (saysDead(all)) return null;
  if (fromWording === 'mailbox-full' || fromWording === 'spam-block') return fromWording;
  return fromWording === 'policy' && SENDER_SIDE.test(all) ? 'policy' : null;
}

/**
 * The class of one recipient's failure: the status code where it is specific, else the first of the texts (the
 * server's diagnostic, then the report's words about the recipient) whose wording says. `recipient` is the failed
 * address, for what is known of its provider.
 */
export function classify(status: string | null, texts: readonly (string | null)[], recipient: string | null = null): FailureClass {
  const said = texts.filter((t): t is string => !!t).map((t) => t.replace(ZOHO_LABEL, ''));
  const all = said.join('\n');
  if (TAKES_NO_MAIL.test(all)) return 'dead-address';
  const fromStatus = status && !isGeneric(status) ? classOfStatus(status) : null;
  const fromWording = said.map(classOfWording).find((c) => c) ?? null;
  if (fromStatus === 'policy' && fromWording === 'spam-block') return 'spam-block';
  const otherReason = status?.endsWith('.1.1') ? otherReasonThan511(fromWording, all) : null;
  if (otherReason) return otherReason;
  if (fromStatus) return fromStatus;
  if (fromWording === 'dead-address' && isFilterAnswer(status, all, recipient)) return 'spam-block';
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
