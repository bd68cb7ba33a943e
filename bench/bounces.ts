/**
 * `npm run bench:bounces`: the bounce reader over a corpus of real bounces, against a reference reading of them.
 * Prints figures and a PASS/FAIL line per target; exits 0 unless it errors (2 for bad options), never because a
 * target was missed. What each figure compares is said in docs/bounces.md#benchmark.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readReport } from '../src/bounce/index.js';
import type { ReportReading } from '../src/bounce/reading.js';

const USAGE = `Usage: npm run bench:bounces -- [--corpus DIR] [--list]

Reads every message of the corpus (DIR/sisimai/maildir/bsd/*.eml, the real bounces, auto-replies and complaints,
and DIR/sisimai/maildir/not/*.eml, messages that are not bounces) and compares the reading with the reference
in DIR/sisimai-4.25.15-answers.tsv. Hard/soft is also compared with the reference as corrected where the message's
own words contradict it (bench/bounce-adjudications.tsv).

Options:
  --corpus DIR   the corpus (default: <repository>/../shared/fixtures/bounces); absent: says so and exits 0
  --list         also print each file whose recipients disagree with the reference, and each hard/soft difference
                 (marked where an adjudication corrects the reference)
  -h, --help     this text`;

interface Reference {
  recipient: string;
  status: string;
  replyCode: string;
  reason: string;
  hard: boolean;
}

/** The reference's words for a message it did not read as a failure. */
const NOT_FAILURES = new Set(['feedback', 'vacation', 'delivered']);

function readReference(path: string): Map<string, Reference[]> {
  const byFile = new Map<string, Reference[]>();
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1)) {
    const [file, recipient, status, replyCode, reason, hard] = line.split('\t');
    if (!file || !recipient) continue;
    const list = byFile.get(file) ?? [];
    list.push({ recipient, status: status ?? '', replyCode: replyCode ?? '', reason: reason ?? '', hard: hard === '1' });
    byFile.set(file, list);
  }
  return byFile;
}

const key = (address: string) => address.toLowerCase();

/**
 * A record where the message's own status code and words contradict the reference (docs/bounces.md#benchmark): the
 * reference's reading as it must still stand in the reference, the reading the message supports, and its words.
 */
interface Adjudication {
  file: string;
  recipient: string;
  reference: { reason: string; hard: boolean };
  correct: { class: string; hard: boolean };
  words: string;
}

const ADJUDICATIONS = fileURLToPath(new URL('bounce-adjudications.tsv', import.meta.url));

/** `filtered soft` → reason and hardness; anything else in the column is a mistake in the list. */
function reading(column: string, where: string): { what: string; hard: boolean } {
  const match = /^(\S+) (hard|soft)$/.exec(column.trim());
  if (!match) throw new Error(`${where}: "${column}" is not "<reason or class> hard|soft"`);
  return { what: match[1] as string, hard: match[2] === 'hard' };
}

function readAdjudications(path: string): Adjudication[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  return lines.flatMap((line, index) => {
    if (!line.trim() || line.startsWith('#') || line.startsWith('file\t')) return [];
    const [file, recipient, reference, correct, words] = line.split('\t');
    const where = `${path}:${index + 1}`;
    if (!file || !recipient || !reference || !correct || !words)
      throw new Error(`${where}: expected file, recipient, reference, correct, words, why`);
    const before = reading(reference, where);
    const after = reading(correct, where);
    return [
      { file, recipient, reference: { reason: before.what, hard: before.hard }, correct: { class: after.what, hard: after.hard }, words },
    ];
  });
}

const collapsed = (text: string) => text.replace(/\s+/g, ' ');

/** The addresses a reading is about: failed or delayed recipients, who complained, or who answered automatically. */
function addressesOf(reading: ReportReading): string[] {
  if (reading.kind === 'complaint') return reading.complaint?.complainants ?? [];
  if (reading.kind === 'auto-reply') return reading.autoReply?.responder ? [reading.autoReply.responder] : [];
  return reading.recipients.map((r) => r.address);
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a.map(key));
  const right = new Set(b.map(key));
  return left.size === right.size && [...left].every((x) => right.has(x));
};

const DELIVERY_STATUS_PART = /^[ \t]*content-type:[ \t]*message\/(?:global-)?delivery-status/im;

interface Outcome {
  file: string;
  reading: ReportReading;
  ms: number;
  withDeliveryStatus: boolean;
}

function line(label: string, value: string) {
  process.stdout.write(`${label.padEnd(58)} ${value}\n`);
}

function target(name: string, pass: boolean, detail: string) {
  process.stdout.write(`${pass ? 'PASS' : 'FAIL'}  ${name}: ${detail}\n`);
}

const percent = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)} %` : '–');

/** A report returning a 50 MiB message whole, as a server that ignores RET=HDRS sends it (docs/bounces.md#limits). */
async function readLarge() {
  const head = [
    'From: MAILER-DAEMON@relay.example.org',
    'To: fitsdata-bounces+token@archive.example.org',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; relay.example.org',
    '',
    'Final-Recipient: rfc822; pi@example.net',
    'Action: failed',
    'Status: 5.1.1',
    '',
    '--B',
    'Content-Type: message/rfc822',
    '',
    'Message-ID: <yougotdata.1.20261126.pi.x@archive.example.org>',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join('\r\n');
  const line = `${'QUJD'.repeat(19)}\r\n`;
  const bytes = Buffer.from(`${head}${line.repeat(Math.ceil((50 * 2 ** 20) / line.length))}--B--\r\n`);
  const started = performance.now();
  const reading = await readReport(bytes);
  const ms = performance.now() - started;
  return {
    bytes: bytes.byteLength,
    ms,
    kind: reading.kind,
    recipients: reading.recipients.length,
    problems: reading.problems.map((p) => p.code).join(', '),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      corpus: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const repository = fileURLToPath(new URL('..', import.meta.url));
  const corpus = resolve(values.corpus ?? join(repository, '..', 'shared', 'fixtures', 'bounces'));
  const bounces = join(corpus, 'sisimai', 'maildir', 'bsd');
  const notBounces = join(corpus, 'sisimai', 'maildir', 'not');
  const answers = join(corpus, 'sisimai-4.25.15-answers.tsv');
  if (!existsSync(bounces) || !existsSync(answers)) {
    process.stdout.write(`bench:bounces: no bounce corpus at ${corpus}; nothing to measure\n`);
    return 0;
  }
  const reference = readReference(answers);
  // An adjudication counts only while the reference still reads the record as it says and the message holds its words.
  const adjudications = new Map<string, Adjudication>();
  const stale: string[] = [];
  for (const a of readAdjudications(ADJUDICATIONS)) {
    const record = reference.get(a.file)?.find((r) => key(r.recipient) === key(a.recipient));
    const path = join(bounces, a.file);
    const holds =
      record?.reason === a.reference.reason &&
      record.hard === a.reference.hard &&
      existsSync(path) &&
      collapsed(readFileSync(path, 'latin1')).includes(collapsed(a.words));
    if (holds) adjudications.set(`${a.file} ${key(a.recipient)}`, a);
    else stale.push(`${a.file} ${a.recipient}`);
  }

  const readAll = async (dir: string): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort()) {
      const bytes = readFileSync(join(dir, file));
      const started = performance.now();
      const reading = await readReport(bytes);
      outcomes.push({
        file,
        reading,
        ms: performance.now() - started,
        withDeliveryStatus: DELIVERY_STATUS_PART.test(bytes.toString('latin1')),
      });
    }
    return outcomes;
  };
  const started = performance.now();
  const real = await readAll(bounces);
  const others = existsSync(notBounces) ? await readAll(notBounces) : [];
  const wallMs = performance.now() - started;

  const agrees = (o: Outcome) =>
    sameSet(
      addressesOf(o.reading),
      (reference.get(o.file) ?? []).map((r) => r.recipient),
    );
  const listing: string[] = [];
  const describe = (o: Outcome) =>
    `${o.file}: ${o.reading.kind} [${addressesOf(o.reading).join(', ')}] reference [${(reference.get(o.file) ?? []).map((r) => r.recipient).join(', ')}]`;

  const kinds = new Map<string, number>();
  for (const o of real) kinds.set(o.reading.kind, (kinds.get(o.reading.kind) ?? 0) + 1);
  const classes = new Map<string, number>();
  for (const o of real) for (const r of o.reading.recipients) classes.set(r.class, (classes.get(r.class) ?? 0) + 1);
  const sources = new Map<string, number>();
  for (const o of real) for (const r of o.reading.recipients) sources.set(r.source, (sources.get(r.source) ?? 0) + 1);

  const standard = real.filter((o) => o.withDeliveryStatus);
  const standardAgree = standard.filter(agrees);
  const read = real.filter((o) => reference.has(o.file));
  const right = read.filter(agrees);
  for (const o of read) if (!agrees(o)) listing.push(`recipients  ${describe(o)}`);
  const withCode = real.filter((o) => o.reading.recipients.some((r) => r.status || r.replyCode));
  const autoReplies = real.filter((o) => o.file.startsWith('rfc3834-'));
  const quiet = [...others, ...autoReplies];
  const wronglyBounces = quiet.filter((o) => o.reading.kind === 'bounce' || o.reading.kind === 'delay');
  const complaints = real.filter((o) => o.file.startsWith('arf-'));
  const complaintsRead = complaints.filter((o) => o.reading.kind === 'complaint');

  // Hard or soft: each reference record of a failure whose recipient this reader reports, its hard column against ours,
  // and against two naive rules read from the same recipient: every 5.x.x is hard, only X.1.1 is hard.
  let compared = 0;
  let sameHardness = 0;
  let sameAsCorrected = 0;
  let sameAsEvery5xx = 0;
  let sameAsOnly511 = 0;
  for (const o of real) {
    for (const record of reference.get(o.file) ?? []) {
      if (NOT_FAILURES.has(record.reason)) continue;
      const ours = o.reading.recipients.find((r) => key(r.address) === key(record.recipient));
      if (!ours) continue;
      compared += 1;
      if ((ours.status?.startsWith('5') || ours.replyCode?.startsWith('5') || false) === record.hard) sameAsEvery5xx += 1;
      if ((ours.status?.endsWith('.1.1') ?? false) === record.hard) sameAsOnly511 += 1;
      const adjudication = adjudications.get(`${o.file} ${key(record.recipient)}`);
      if (ours.hard === (adjudication?.correct.hard ?? record.hard)) sameAsCorrected += 1;
      if (ours.hard === record.hard) sameHardness += 1;
      if (ours.hard !== record.hard || (adjudication && ours.hard !== adjudication.correct.hard)) {
        const verdict = adjudication
          ? `; adjudicated ${adjudication.correct.hard} (${adjudication.correct.class}): "${adjudication.words}"`
          : '';
        listing.push(
          `hard        ${o.file} ${record.recipient}: ours ${ours.hard} (${ours.class}, ${ours.status ?? ours.replyCode ?? '-'}), reference ${record.hard} (${record.reason}, ${record.status})${verdict}`,
        );
      }
    }
  }

  const times = [...real, ...others].map((o) => o.ms).sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  const problems = new Map<string, number>();
  for (const o of [...real, ...others]) for (const p of o.reading.problems) problems.set(p.code, (problems.get(p.code) ?? 0) + 1);

  process.stdout.write(`Bounce reader over ${real.length} real reports and ${others.length} other messages (${corpus})\n\n`);
  const counts = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  line('kinds', counts(kinds));
  line('recipients by class', counts(classes));
  line('recipients by source', counts(sources));
  line('problems met', counts(problems) || 'none');
  line('with a delivery-status part: recipients as the reference', `${standardAgree.length} of ${standard.length}`);
  line('all reports the reference reads: recipients as the reference', `${right.length} of ${read.length} (of ${real.length} reports)`);
  line('status or reply code found', `${withCode.length} of ${real.length}`);
  line('hard/soft as the reference, per recipient both report', `${sameHardness} of ${compared} (${percent(sameHardness, compared)})`);
  line(
    `  as the reference corrected by ${adjudications.size} adjudications`,
    `${sameAsCorrected} of ${compared} (${percent(sameAsCorrected, compared)})${stale.length ? `; ${stale.length} not applied, no longer as listed: ${stale.join(', ')}` : ''}`,
  );
  line(
    '  the same for "every 5.x.x is hard", "only X.1.1 is hard"',
    `${percent(sameAsEvery5xx, compared)}, ${percent(sameAsOnly511, compared)}`,
  );
  const slowest = [...real, ...others].reduce((a, b) => (b.ms > a.ms ? b : a));
  line(
    'time per message: mean, median, 99th percentile, max',
    `${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)} ms, ${at(0.5).toFixed(2)} ms, ${at(0.99).toFixed(2)} ms, ${at(1).toFixed(2)} ms`,
  );
  line('slowest', `${slowest.file} (${slowest.ms.toFixed(2)} ms)`);
  line('wall time for all', `${(wallMs / 1000).toFixed(2)} s`);
  line('peak memory (max resident set) over the corpus', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  const large = await readLarge();
  line(
    `a ${(large.bytes / 2 ** 20).toFixed(0)} MiB report`,
    `${large.ms.toFixed(0)} ms, ${large.kind}, ${large.recipients} recipient(s), problems: ${large.problems}`,
  );
  line('peak memory (max resident set) after it', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  process.stdout.write('\n');

  // The README counts 341 with a delivery-status part; where this count differs, the bar keeps its proportion.
  const standardBar = Math.ceil((standard.length * 327) / 341);
  target(
    'delivery-status reports, failed recipients as the reference',
    standardAgree.length >= standardBar,
    `${standardAgree.length} of ${standard.length} (at least ${standardBar})`,
  );
  target('all reports, the right recipients', right.length >= 500, `${right.length} (at least 500; the reference reads ${read.length})`);
  target('status or reply code found', withCode.length >= 470, `${withCode.length} (at least 470)`);
  target(
    'no bounce for the non-bounces and the auto-replies',
    wronglyBounces.length === 0 && quiet.length > 0,
    `${quiet.length - wronglyBounces.length} of ${quiet.length} not bounces${wronglyBounces.length ? ` (${wronglyBounces.map((o) => o.file).join(', ')})` : ''}`,
  );
  target(
    'complaint reports as complaints',
    complaintsRead.length === complaints.length && complaints.length > 0,
    `${complaintsRead.length} of ${complaints.length}`,
  );
  target(
    `hard/soft as the reference corrected by ${adjudications.size} adjudications`,
    compared > 0 && sameAsCorrected >= 0.95 * compared,
    `${percent(sameAsCorrected, compared)} of ${compared} (at least 95 %; as the reference uncorrected ${percent(sameHardness, compared)})`,
  );
  if (values.list) process.stdout.write(`\n${listing.join('\n')}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench:bounces: ${error instanceof TypeError && 'code' in error ? (error as Error).message : String((error as Error).stack ?? error)}\n`,
    );
    process.exit(error instanceof TypeError && 'code' in error ? 2 : 1);
  },
);
