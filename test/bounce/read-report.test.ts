import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { READ_LIMIT, readReport, readsOtherwiseKnowingSentTo } from '../../src/bounce/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url));
const read = (name: string, options?: Parameters<typeof readReport>[1]) => readReport(fixture(name), options);

describe('a Postfix report about three recipients', () => {
  it('reads every recipient block, not only the first', async () => {
    const reading = await read('postfix-three-recipients.eml');
    expect(reading.kind).toBe('bounce');
    expect(reading.recipients.map((r) => [r.address, r.action, r.status, r.replyCode, r.class, r.hard])).toEqual([
      ['ada.pi@univ.example.edu', 'failed', '5.1.1', '550', 'dead-address', true],
      ['grace.coi@obs.example.net', 'delayed', '4.2.2', '452', 'mailbox-full', false],
      ['alan.cs@lab.example.com', 'failed', '5.7.1', '550', 'policy', false],
    ]);
    expect(reading.recipients.every((r) => r.source === 'delivery-status')).toBe(true);
  });

  it('keeps the diagnostic on one line and the remote server', async () => {
    const [ada] = (await read('postfix-three-recipients.eml')).recipients;
    expect(ada?.diagnostic).toBe('550 5.1.1 <ada.pi@univ.example.edu>: Recipient address rejected: User unknown in virtual mailbox table');
    expect(ada?.remoteMta).toBe('mx1.univ.example.edu');
    expect(ada?.originalRecipient).toBe('ada.pi@univ.example.edu');
  });

  it('gives the matcher every handle: token, envelope id, returned Message-ID, queue id', async () => {
    const reading = await read('postfix-three-recipients.eml');
    expect(reading.deliveryAddresses).toContainEqual({
      address: 'fitsdata-bounces+s101.n20261126.Zx9q@archive.example.org',
      from: 'delivered-to',
    });
    expect(reading.envelopeId).toBe('<yougotdata.101.20261126.pi.k3j9x@archive.example.org>');
    expect(reading.returnedMessageIds).toEqual(['<yougotdata.101.20261126.pi.k3j9x@archive.example.org>']);
    expect(reading.queueIds).toEqual(['4C2F81A0B7']);
    expect(reading).toMatchObject({
      messageId: '<20261127061240.4C2F81A0B7@relay.example.org>',
      date: '2026-11-27T06:12:40.000Z',
      problems: [],
    });
  });

  it('puts the envelope the MTA passes before the headers, where a token is looked for first', async () => {
    const reading = await read('postfix-three-recipients.eml', {
      envelope: { recipient: 'fitsdata-bounces+fromenv@archive.example.org' },
    });
    expect(reading.deliveryAddresses.slice(0, 2)).toEqual([
      { address: 'fitsdata-bounces+fromenv@archive.example.org', from: 'envelope' },
      { address: 'fitsdata-bounces+s101.n20261126.Zx9q@archive.example.org', from: 'delivered-to' },
    ]);
  });

  it('is a delay when every recipient is delayed, a bounce when any failed', async () => {
    const text = fixture('postfix-three-recipients.eml').toString('utf8');
    const delayedOnly = text.replace(/Action: failed/g, 'Action: delayed').replace(/Status: 5\.\d\.\d/g, 'Status: 4.4.1');
    const reading = await readReport(delayedOnly);
    expect(reading.kind).toBe('delay');
    expect(reading.recipients.map((r) => r.action)).toEqual(['delayed', 'delayed', 'delayed']);
    expect(reading.recipients.some((r) => r.hard)).toBe(false);
  });

  it('is no bounce when the report only says the message was delivered', async () => {
    const text = fixture('postfix-three-recipients.eml').toString('utf8');
    const delivered = text.replace(/Action: (?:failed|delayed)/g, 'Action: delivered').replace(/Status: [45]\.\d\.\d/g, 'Status: 2.0.0');
    const reading = await readReport(delivered);
    expect(reading.kind).toBe('not-a-bounce');
    expect(reading.recipients).toEqual([]);
  });

  it('reads the head of a report cut short, and says so', async () => {
    const head = fixture('postfix-three-recipients.eml').subarray(0, 2400);
    const reading = await readReport(head);
    expect(reading.kind).toBe('bounce');
    expect(reading.recipients[0]?.address).toBe('ada.pi@univ.example.edu');
    expect(reading.problems.map((p) => p.code)).toContain('truncated');
  });
});

describe('an RFC 6533 global delivery status', () => {
  it('reads the UTF-8 address and the global headers of the returned message', async () => {
    const reading = await read('global-dsn.eml');
    expect(reading.kind).toBe('bounce');
    expect(reading.recipients.map((r) => [r.address, r.status, r.class, r.hard])).toEqual([
      ['jérôme@observatoire.example.fr', '5.1.1', 'dead-address', true],
    ]);
    expect(reading.returnedMessageIds).toEqual(['<yougotdata.202.20261126.pi.Ab12@archive.example.org>']);
  });
});

describe('reports from Japanese servers and carriers', () => {
  /** A standard report about one recipient, with `diagnostic` as the Diagnostic-Code and `notification` as its text. */
  const dsn = (recipient: string, status: string, diagnostic: string, notification: string) =>
    [
      'From: MAILER-DAEMON@relay.example.org',
      'To: fitsdata-bounces+tok@archive.example.org',
      'Subject: Returned mail: see transcript for details',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      notification,
      '',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; relay.example.org',
      '',
      `Final-Recipient: rfc822; ${recipient}`,
      'Action: failed',
      `Status: ${status}`,
      `Diagnostic-Code: X-Notes; ${diagnostic}`,
      '',
      '--B--',
      '',
    ].join('\r\n');

  it('decodes a Diagnostic-Code written in ISO-2022-JP, and reads its words', async () => {
    const iso2022jp = '\x1b$B%f!<%6!<\x1b(B Ann (ann.pi@example.co.jp) \x1b$B$O\x1b(B Domino \x1b$B%G%#%l%/%H%j$K$O8+$D$+$j$^$;$s!#\x1b(B';
    const reading = await readReport(dsn('ann.pi@example.co.jp', '5.0.0', iso2022jp, 'Your message was not delivered.'));
    expect(reading.recipients.map((r) => [r.diagnostic, r.class, r.hard])).toEqual([
      ['ユーザー Ann (ann.pi@example.co.jp) は Domino ディレクトリには見つかりません。', 'dead-address', true],
    ]);
  });

  it("reads au's refusal without an address as a filter, by the failed recipient's domain", async () => {
    const filtered = await readReport(dsn('ann.pi@ezweb.ne.jp', '5.0.0', '550 : User unknown', 'Delivery failed.'));
    expect(filtered.recipients.map((r) => [r.class, r.hard])).toEqual([['spam-block', false]]);
    const elsewhere = await readReport(dsn('ann.pi@example.org', '5.0.0', '550 : User unknown', 'Delivery failed.'));
    expect(elsewhere.recipients.map((r) => [r.class, r.hard])).toEqual([['dead-address', true]]);
  });

  it('reads a sendmail report whose transcript shows the refusal answered DATA as no dead address', async () => {
    const transcript = [
      '   ----- The following addresses had permanent fatal errors -----',
      '<ann.pi@mobile.example.jp>',
      '    (reason: 550 Unknown user ann.pi@mobile.example.jp)',
      '',
      '   ----- Transcript of session follows -----',
      '... while talking to mx.mobile.example.jp.:',
      '>>> DATA',
      '<<< 550 Unknown user ann.pi@mobile.example.jp',
      '554 5.0.0 Service unavailable',
    ].join('\r\n');
    const reading = await readReport(dsn('ann.pi@mobile.example.jp', '5.0.0', '550 Unknown user ann.pi@mobile.example.jp', transcript));
    expect(reading.recipients.map((r) => [r.class, r.hard])).toEqual([['spam-block', false]]);
  });
});

describe('reports that follow no standard', () => {
  it.each([
    ['qmail.eml', 'mira.pi@astro.example.net', '5.1.1', '550', 'dead-address', true],
    ['exim-without-dsn.eml', 'leo.pi@inst.example.com', null, null, 'dead-address', true],
    ['exchange-2003.eml', 'otto.pi@corp.example.com', '5.1.1', null, 'dead-address', true],
    ['yahoo.eml', 'zoe.coi@yahoo.example.com', null, '554', 'dead-address', true],
  ])('%s: %s', async (name, address, status, replyCode, failureClass, hard) => {
    const reading = await read(name);
    expect(reading.kind).toBe('bounce');
    expect(reading.recipients.map((r) => [r.address, r.status, r.replyCode, r.class, r.hard, r.source])).toEqual([
      [address, status, replyCode, failureClass, hard, 'text'],
    ]);
    expect(reading.returnedMessageIds).toHaveLength(1);
    expect(reading.returnedMessageIds[0]).toMatch(/^<yougotdata\./);
  });

  it('never takes an address from the copy of the returned message', async () => {
    const reading = await read('qmail.eml');
    expect(reading.recipients.map((r) => r.address)).not.toContain('helper@astro.example.net');
  });

  it('keeps only the addresses the message was sent to, when the caller knows them', async () => {
    const kept = await read('qmail.eml', { sentTo: ['Mira.PI@astro.example.net'] });
    expect(kept.recipients.map((r) => r.address)).toEqual(['mira.pi@astro.example.net']);
    const other = await read('qmail.eml', { sentTo: ['someone@else.example.org', 'another@else.example.org'] });
    expect(other.recipients).toEqual([]);
    expect(other.kind).toBe('not-a-bounce');
  });

  it('keeps standard recipients whatever the caller knows', async () => {
    const reading = await read('postfix-three-recipients.eml', { sentTo: ['ada.pi@univ.example.edu'] });
    expect(reading.recipients).toHaveLength(3);
  });

  it('says when reading again knowing whom the message went to can change nothing, so bounce reads it once', async () => {
    const names = readdirSync(new URL('../fixtures/bounces/', import.meta.url)).filter((name) => /\.(eml|png)$/.test(name));
    const once: string[] = [];
    for (const name of names) {
      const first = await read(name);
      if (readsOtherwiseKnowingSentTo(first)) continue;
      once.push(name);
      for (const sentTo of [['ada.pi@univ.example.edu'], ['nobody@else.example.org'], ['a@else.example.org', 'b@else.example.org']])
        expect(await read(name, { sentTo }), `${name} ${sentTo}`).toEqual(first);
    }
    expect(once).toEqual(expect.arrayContaining(['postfix-5.1.1-user-unknown.eml', 'postfix-three-recipients.eml', 'arf-complaint.eml']));
    expect(readsOtherwiseKnowingSentTo(await read('qmail.eml'))).toBe(true);
  });

  it('finds a known recipient however the report names it', async () => {
    const report = [
      'From: postmaster@mail.example.net',
      'To: fitsdata-bounces+tok@archive.example.org',
      'Subject: email bounce notification',
      '',
      'Your message was rejected and discarded.',
      'reject reason: Mailbox full',
      'target mail address: kim.pi@mail.example.net',
    ].join('\r\n');
    expect((await readReport(report)).kind).toBe('not-a-bounce');
    const known = await readReport(report, { sentTo: ['kim.pi@mail.example.net'] });
    expect(known.recipients.map((r) => [r.address, r.class, r.source])).toEqual([['kim.pi@mail.example.net', 'mailbox-full', 'text']]);
  });

  it('says a report naming no recipient is about the only one the message went to', async () => {
    const report = [
      'From: MAILER-DAEMON@mail.example.net',
      'To: fitsdata-bounces+tok@archive.example.org',
      'Subject: Returned mail: see transcript for details',
      '',
      '421 mail.example.net (smtp)... Deferred: Connection timed out during user open',
    ].join('\r\n');
    const unknown = await readReport(report);
    expect(unknown.kind).toBe('not-a-bounce');
    expect(unknown.problems.map((p) => p.code)).toEqual(['no-recipient']);
    const known = await readReport(report, { sentTo: ['lone.pi@example.net'] });
    expect(known.recipients.map((r) => [r.address, r.source, r.class, r.hard])).toEqual([
      ['lone.pi@example.net', 'sole-recipient', 'expired', false],
    ]);
  });

  it('reads a warning that the server is still trying as a delay', async () => {
    const report = [
      'From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.net>',
      'To: fitsdata-bounces+tok@archive.example.org',
      'Subject: Warning: could not send message for past 4 hours',
      '',
      '    **********************************************',
      '    **      THIS IS A WARNING MESSAGE ONLY      **',
      '    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **',
      '    **********************************************',
      '',
      'The original message was received at Fri, 27 Nov 2026 06:00:00 GMT',
      '',
      '   ----- Transcript of session follows -----',
      '<sol.pi@slow.example.net>... Deferred: 451 4.3.0 Try again later',
      'Warning: message still undelivered after 4 hours',
      'Will keep trying until message is 5 days old',
    ].join('\r\n');
    const reading = await readReport(report);
    expect(reading.kind).toBe('delay');
    expect(reading.recipients.map((r) => [r.address, r.action, r.status, r.hard])).toEqual([
      ['sol.pi@slow.example.net', 'delayed', '4.3.0', false],
    ]);
  });
});

describe('complaints and automatic replies are never bounces', () => {
  it('reads an RFC 5965 feedback report as a complaint by the original recipient', async () => {
    const reading = await read('arf-complaint.eml');
    expect(reading.kind).toBe('complaint');
    expect(reading.recipients).toEqual([]);
    expect(reading.complaint).toEqual({
      feedbackType: 'abuse',
      complainants: ['nora.pi@isp.example.net'],
    });
    expect(reading.returnedMessageIds).toEqual(['<yougotdata.707.20261126.pi.Mn4b@archive.example.org>']);
  });

  it('reads an RFC 3834 vacation reply as an auto-reply naming the message it answers', async () => {
    const reading = await read('vacation-rfc3834.eml');
    expect(reading.kind).toBe('auto-reply');
    expect(reading.autoReply).toEqual({ responder: 'iris.pi@univ.example.edu', evidence: 'auto-submitted: auto-replied (vacation)' });
    expect(reading.referencedMessageIds).toEqual(['<yougotdata.808.20261126.pi.Vb6c@archive.example.org>']);
  });

  it('reads an out-of-office without the RFC 3834 header by its subject', async () => {
    const reading = await read('out-of-office-without-header.eml');
    expect(reading.kind).toBe('auto-reply');
    expect(reading.autoReply?.evidence).toBe('subject');
    expect(reading.recipients).toEqual([]);
  });

  it('reads an out-of-office by its words when the subject is the original one', async () => {
    const text = fixture('out-of-office-without-header.eml').toString('utf8').replace('Out of Office: ', 'RE: ');
    expect((await readReport(text)).autoReply?.evidence).toBe('text');
  });

  it('reads a person writing back as no bounce, whatever addresses the text names', async () => {
    const reading = await read('not-a-bounce.eml');
    expect(reading.kind).toBe('not-a-bounce');
    expect(reading.recipients).toEqual([]);
    expect(reading.problems).toEqual([]);
  });

  it('reads a server report that carries Auto-Submitted: auto-replied as a bounce', async () => {
    expect((await read('exim-without-dsn.eml')).kind).toBe('bounce');
  });
});

describe('bad input gets a clear problem', () => {
  it.each([
    ['empty.eml', 'empty'],
    ['not-mail.png', 'not-mail'],
  ])('%s is unreadable: %s', async (name, code) => {
    const reading = await read(name);
    expect(reading.kind).toBe('unreadable');
    expect(reading.problems.map((p) => p.code)).toEqual([code]);
  });

  it.each(['', '   \r\n\r\n  ', 'just some words', '\u0000\u0001\u0002'])('%j is unreadable', async (input) => {
    expect((await readReport(input)).kind).toBe('unreadable');
  });

  it('reads broken MIME from its text, and says it was broken', async () => {
    const reading = await read('broken-mime.eml');
    expect(reading.kind).toBe('bounce');
    expect(reading.recipients.map((r) => [r.address, r.status, r.hard])).toEqual([['owen.pi@univ.example.edu', '5.1.1', true]]);
    expect(reading.envelopeId).toBe('<yougotdata.222.20261126.pi.Bb2b@archive.example.org>');
    expect(reading.problems.map((p) => p.code)).toContain('broken-mime');
  });

  it('reads the head of a message larger than it reads, and says how much it read', async () => {
    const head = fixture('postfix-three-recipients.eml')
      .toString('utf8')
      .replace(/--4C2F81A0B7[^\n]*--\s*$/, '');
    const filler = `Content-Type: application/octet-stream\r\n\r\n${'QUFBQUFBQUFBQUFBQUFBQUFB\r\n'.repeat(Math.ceil((READ_LIMIT * 5) / 26))}`;
    const huge = Buffer.from(`${head}--4C2F81A0B7.1795759960/relay.example.org\r\n${filler}`);
    expect(huge.byteLength).toBeGreaterThan(READ_LIMIT * 4);
    const reading = await readReport(huge);
    expect(reading.kind).toBe('bounce');
    expect(reading.recipients).toHaveLength(3);
    expect(reading.problems.map((p) => p.code)).toEqual(['too-large', 'truncated']);
    expect(reading.problems[0]?.detail).toContain(String(huge.byteLength));
  });
});
