import { describe, expect, it } from 'vitest';
import { adviceOf, verdictOf } from '../../../src/support/why/verdict.js';
import { failure } from '../../delivery/samples.js';
import { answered, at, message, outcome, run, triage } from './sample-facts.js';

describe('verdictOf', () => {
  it('an IDN recipient the server accepted in its xn-- form is a visible recipient, not a Bcc', () => {
    const sent = message({ to: ['jm@Müller.de'], cc: [], accepted: ['jm@xn--mller-kva.de'], refused: [] });
    expect(verdictOf(triage({ record: { state: 'present', runs: [run()], outcome: null, messages: [sent] } }))).toBe(
      'Sent at 08:00:12 UTC on 2026-11-26 to jm@Müller.de.',
    );
  });

  it('sent, one recipient refused: the example in the README', () => {
    expect(verdictOf(triage())).toBe('Sent at 08:00:12 UTC on 2026-11-26 to a@x.test, b@y.test; c@z.test refused: 550 no such user.');
  });

  it('sent to everyone, Bcc counted, not named', () => {
    const sent = message({ accepted: ['a@x.test', 'B@Y.test', 'c@z.test', 'audit@gemini.test'], refused: [] });
    expect(verdictOf(triage({ record: { state: 'present', runs: [run()], outcome: null, messages: [sent] } }))).toBe(
      'Sent at 08:00:12 UTC on 2026-11-26 to a@x.test, b@y.test, c@z.test (and 1 Bcc).',
    );
  });

  it('several messages for the night: the latest, and a later failure', () => {
    const first = message({ id: 1, refused: [], accepted: ['a@x.test', 'b@y.test', 'c@z.test'] });
    const second = message({
      id: 2,
      createdAt: at('09:00:00'),
      sentAt: at('09:00:01'),
      refused: [],
      accepted: ['a@x.test', 'b@y.test', 'c@z.test'],
    });
    const failed = message({
      id: 3,
      status: 'failed',
      createdAt: at('10:00:00'),
      sentAt: null,
      accepted: [],
      refused: [],
      error: 'ETIMEDOUT: Greeting never received',
    });
    expect(verdictOf(triage({ record: { state: 'present', runs: [run()], outcome: null, messages: [failed, second, first] } }))).toBe(
      'Sent at 09:00:01 UTC on 2026-11-26 to a@x.test, b@y.test, c@z.test (the latest of 2 messages for the night); a later message failed at 10:00:00 UTC on 2026-11-26: ETIMEDOUT: Greeting never received.',
    );
  });

  it('a message the mail server took whole and never answered: it may have arrived, and the next run sends it once more', () => {
    const unanswered = message({
      status: 'unknown',
      sentAt: null,
      accepted: [],
      refused: [],
      error: 'no reply after the whole message was sent (ETIMEDOUT: no answer within 60000 ms (SMTP_TIMEOUT_MS): Timeout)',
    });
    const facts = triage({
      archive: answered({ unannounced: ['N1.fits', 'N2.fits'] }),
      record: { state: 'present', runs: [run()], outcome: null, messages: [unanswered] },
    });
    expect(verdictOf(facts)).toBe(
      'The message went to the mail server whole and no reply came (nothing confirmed its delivery) at 08:00:11 UTC on 2026-11-26: ' +
        'it may have arrived, and the next run sends it once more; the archive has 2 files for it now: ' +
        '`yougotdata send --date 20261126 --match 101` sends them.',
    );
    expect(adviceOf(facts)).toBe(
      "search the mail server's log for <m1@gemini.test>; if it never arrived, the next run sends it, or now: yougotdata send --date 20261126 --match 101",
    );
    const later = message({ id: 2, status: 'unknown', createdAt: at('09:00:00'), sentAt: null, accepted: [], refused: [] });
    const sent = message({ refused: [], accepted: ['a@x.test', 'b@y.test', 'c@z.test'] });
    expect(verdictOf(triage({ record: { state: 'present', runs: [run()], outcome: null, messages: [later, sent] } }))).toBe(
      'Sent at 08:00:12 UTC on 2026-11-26 to a@x.test, b@y.test, c@z.test; a later message went to the mail server whole and no reply came ' +
        '(nothing confirmed its delivery) at 09:00:00 UTC on 2026-11-26.',
    );
  });

  it('not sent: every recipient refused', () => {
    const failed = message({
      status: 'failed',
      sentAt: null,
      accepted: [],
      error: 'no recipient accepted the message: a@x.test: 550 no such user',
    });
    expect(verdictOf(triage({ record: { state: 'present', runs: [run()], outcome: outcome('failed'), messages: [failed] } }))).toBe(
      'Not sent: no recipient accepted the message: a@x.test: 550 no such user (tried at 08:00:11 UTC on 2026-11-26; the next run tries again).',
    );
  });

  it('no data when the run checked, and files since', () => {
    const base = { runs: [run()], messages: [], outcome: outcome('no-data') };
    expect(verdictOf(triage({ archive: answered({ files: 0, programs: {}, qaStates: {} }), record: { state: 'present', ...base } }))).toBe(
      'Nothing sent: the archive had no files for GN-2026B-Q-101/science on night 20261126 when the PI run checked at 08:00:05 UTC on 2026-11-26.',
    );
    expect(verdictOf(triage({ archive: answered({ unannounced: ['N1.fits', 'N2.fits'] }), record: { state: 'present', ...base } }))).toBe(
      'Nothing sent: the archive had no files for GN-2026B-Q-101/science on night 20261126 when the PI run checked at 08:00:05 UTC on 2026-11-26; the archive has 2 files for it now: `yougotdata send --date 20261126 --match 101` sends them.',
    );
  });

  it('invalid selection: recorded, or only now', () => {
    const invalid = {
      state: 'invalid',
      reason: 'the archive does not recognise "sceince" (did you mean science?)',
      checkedBy: 'archive',
    } as const;
    const recorded = outcome('invalid-selection', { error: invalid.reason });
    expect(
      verdictOf(
        triage({
          selection: invalid,
          archive: { state: 'not-asked', why: 'x' },
          record: { state: 'present', runs: [run()], outcome: recorded, messages: [] },
        }),
      ),
    ).toBe(
      'Nothing sent: the PI run at 08:00:05 UTC on 2026-11-26 found the selection invalid: the archive does not recognise "sceince" (did you mean science?).',
    );
    expect(
      verdictOf(
        triage({
          selection: invalid,
          archive: { state: 'not-asked', why: 'x' },
          record: { state: 'present', runs: [], outcome: null, messages: [] },
        }),
      ),
    ).toBe(
      'No PI run for night 20261126 is recorded: did cron run? (see `yougotdata history`); the selection is invalid: the archive does not recognise "sceince" (did you mean science?), so nothing is sent.',
    );
  });

  it('no recipients', () => {
    const t = triage({
      recipients: { to: [], cc: ['b@y.test'], rejected: ['TBD'] },
      record: { state: 'present', runs: [run()], outcome: outcome('no-recipients', { rejected: ['TBD'] }), messages: [] },
      archive: answered({ unannounced: ['N1.fits', 'N2.fits'] }),
    });
    expect(verdictOf(t)).toBe(
      'Nothing sent: the PI run at 08:00:05 UTC on 2026-11-26 found no valid address in piemail (rejected: "TBD").',
    );
    // A synced row's addresses come from the program's record: an edit of the row would be undone by the next sync.
    expect(adviceOf(t)).toBe(
      "Add a PI email address in the observing database's contact details for program GN-2026B-Q-101 (from its Phase I/II proposal); the sync copies it into row #101 each day, so an edit of the row would be undone.",
    );
    const byHand = { ...t, notification: { ...t.notification, label: 'GN-2026B-Q-101 extra copy' } };
    expect(adviceOf(byHand)).toBe("Edit row #101 (added by hand): put the PI's address in piemail.");
  });

  it("CHECK mode names the contact scientist's field and the summit server", () => {
    const t = triage({
      mode: 'check',
      recipients: { to: [], cc: [], rejected: ['N/A'] },
      record: { state: 'present', runs: [], outcome: null, messages: [] },
      archive: answered({ unannounced: ['N1.fits'] }),
    });
    expect(verdictOf(t)).toBe(
      'No CHECK run for night 20261126 is recorded: did cron run? (see `yougotdata history`); there is no valid address in csemail (rejected: "N/A"), so nothing is sent.',
    );
  });

  it('a run that recorded nothing for this notification, or never ended', () => {
    const quiet = { state: 'present' as const, outcome: null, messages: [] };
    expect(verdictOf(triage({ archive: answered({ files: 0, programs: {}, qaStates: {} }), record: { ...quiet, runs: [run()] } }))).toBe(
      'The PI run for night 20261126 (started at 08:00:00 UTC on 2026-11-26) recorded nothing for this notification: it was added after that run, or the run stopped early; the archive has no files for it on night 20261126.',
    );
    expect(
      verdictOf(
        triage({
          archive: answered({ files: 0, programs: {}, qaStates: {} }),
          record: { ...quiet, runs: [run({ finishedAt: null, exitCode: null, totals: null })] },
        }),
      ),
    ).toMatch(/^The PI run for night 20261126 started at 08:00:00 UTC on 2026-11-26 has no end: it crashed or is still running/);
  });

  it('no record at all (migrate never ran)', () => {
    const t = triage({ record: { state: 'absent' }, archive: answered({ unannounced: ['N1.fits', 'N2.fits'] }) });
    expect(verdictOf(t)).toBe(
      "No send record yet: the tool's tables do not exist (`yougotdata migrate` never ran), so this tool has sent nothing; the archive has 2 files for it now: `yougotdata send --date 20261126 --match 101` sends them.",
    );
    expect(adviceOf(t)).toContain('yougotdata migrate');
  });

  it('the archive failing or widening now', () => {
    const quiet = {
      state: 'present' as const,
      runs: [run()],
      outcome: outcome('sent', { files: 2 }),
      messages: [message({ refused: [], accepted: ['a@x.test', 'b@y.test', 'c@z.test'] })],
    };
    expect(
      verdictOf(triage({ record: quiet, archive: { state: 'failed', url: 'u', searchUrl: 's', error: 'HTTP 503 from the archive' } })),
    ).toMatch(/; the archive search fails now: HTTP 503 from the archive\.$/);
    expect(verdictOf(triage({ record: quiet, archive: answered({ foreignPrograms: ['GN-2026B-Q-7'] }) }))).toMatch(
      /; the archive returns files of other programs now \(GN-2026B-Q-7\), so nothing is sent\.$/,
    );
  });
});

describe('adviceOf', () => {
  it('after a delivered message: where to look, with the subject and message id', () => {
    const sent = message({ refused: [], accepted: ['a@x.test', 'b@y.test', 'c@z.test'] });
    expect(adviceOf(triage({ record: { state: 'present', runs: [run()], outcome: null, messages: [sent] } }))).toBe(
      'the mail server accepted the message: ask the recipients to look in spam and mail filters for the subject "New Data for GN-2026B-Q-101/science", or search the mail server\'s log for <m1@gemini.test> (the relay\'s queue id: 4XyZ1k for a@x.test, b@y.test)',
    );
  });

  it('a refused address: fix it where the fix lasts, naming the column it is in', () => {
    expect(adviceOf(triage())).toBe(
      "Correct or remove the contact scientist email address c@z.test in the observing database's contact details for program GN-2026B-Q-101 (from its Phase I/II proposal); the sync copies it into row #101 each day, so an edit of the row would be undone.",
    );
    const byHand = triage({ notification: { ...triage().notification, label: 'extra copy' } });
    expect(adviceOf(byHand)).toBe('Edit row #101 (added by hand): correct or remove the refused address c@z.test in csemail.');
  });

  it('an invalid selection: the edit of the row, which lasts even for a synced row', () => {
    const invalid = { state: 'invalid', reason: 'selection is blank', checkedBy: 'grammar' } as const;
    expect(adviceOf(triage({ selection: invalid }))).toBe(
      'Edit row #101 (synced for GN-2026B-Q-101, but the sync writes a selection only when it creates the row, so this edit lasts): correct the selection; nothing is sent until then.',
    );
  });
});

describe('bounces: what came back after the mail server accepted the message', () => {
  const accepted = message({ refused: [], accepted: ['a@x.test', 'b@y.test', 'c@z.test'] });
  const record = { state: 'present' as const, runs: [run()], outcome: null, messages: [accepted] };
  const dead = failure('a@x.test', '2026-11-26T08:01:13Z', {
    sendId: 1,
    diagnostic: '550 5.1.1 <a@x.test>: User unknown',
    remoteMta: 'mx.x.test',
  });
  const bouncing = { bouncing: true, reason: 'dead-address', latest: dead, count: 1, lastClean: null } as const;
  const quiet = { bouncing: false, lastClean: null } as const;

  it("the verdict tells of this night's bounce, with the server's words, the code's meaning and the server", () => {
    const t = triage({ record, deliveries: [{ address: 'a@x.test', last: dead, standing: bouncing }] });
    expect(verdictOf(t)).toBe(
      'Sent at 08:00:12 UTC on 2026-11-26 to a@x.test, b@y.test, c@z.test; then a@x.test bounced at 08:01:13 UTC on 2026-11-26: ' +
        '"550 5.1.1 <a@x.test>: User unknown" (5.1.1: the address does not exist; from mx.x.test).',
    );
  });

  it('a delay of this message is told; an answer, or an address that bounced on another night, told as bouncing now', () => {
    const delayed = failure('b@y.test', '2026-11-26T12:00:00Z', {
      sendId: 1,
      action: 'delayed',
      status: '4.2.2',
      class: 'mailbox-full',
      hard: false,
      diagnostic: null,
      remoteMta: null,
    });
    const earlier = failure('a@x.test', '2026-11-20T08:01:13Z', { sendId: 0, diagnostic: null, remoteMta: null });
    const t = triage({
      record,
      deliveries: [
        { address: 'a@x.test', last: earlier, standing: { ...bouncing, latest: earlier } },
        { address: 'b@y.test', last: delayed, standing: quiet },
        { address: 'c@z.test', last: failure('c@z.test', '2026-11-26T09:00:00Z', { sendId: 1, action: 'auto-replied' }), standing: quiet },
      ],
    });
    expect(verdictOf(t)).toBe(
      'Sent at 08:00:12 UTC on 2026-11-26 to a@x.test, b@y.test, c@z.test; then b@y.test was delayed at 12:00:00 UTC on 2026-11-26 (4.2.2: the mailbox is full); ' +
        'a@x.test bounces (a dead address and no delivery has gone through since): it bounced at 08:01:13 UTC on 2026-11-20 (5.1.1: the address does not exist).',
    );
  });

  it('the advice: fix the bouncing address where the fix lasts', () => {
    const t = triage({ record, deliveries: [{ address: 'a@x.test', last: dead, standing: bouncing }] });
    expect(adviceOf(t)).toBe(
      "Correct or remove the PI email address a@x.test (it bounces) in the observing database's contact details for program GN-2026B-Q-101 (from its Phase I/II proposal); the sync copies it into row #101 each day, so an edit of the row would be undone.",
    );
    const byHand = { ...t, notification: { ...t.notification, label: 'extra copy' } };
    expect(adviceOf(byHand)).toBe('Edit row #101 (added by hand): correct or remove the bouncing address a@x.test in piemail.');
  });
});
