import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportIdentity } from '../../src/delivery/report-identity.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bounces/${name}`, import.meta.url));
const BOUNCE = fixture('postfix-5.1.1-user-unknown.eml');
const OWN_ID = '<20261207191448.7BCA520EDC2@relay.yougotdata.test>';
const crlf = (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
const lf = (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');

describe("a report's identity", () => {
  const identity = reportIdentity(BOUNCE, OWN_ID);

  it('is the same whichever way the report came: pipe fields added, a Maildir (LF), IMAP (CRLF), trailing blanks', () => {
    const piped = Buffer.concat([
      Buffer.from(
        'From MAILER-DAEMON  Mon Dec  7 19:14:49 2026\nReturn-Path: <>\nDelivered-To: fitsdata-bounces+1-0-4881184a4ce0b72a@gemini.test\n',
      ),
      BOUNCE,
    ]);
    const filed = Buffer.concat([Buffer.from('Received: from relay by imap.gemini.test;\n\tMon, 7 Dec 2026\nX-Spam-Status: No\n'), BOUNCE]);
    for (const route of [piped, lf(filed), crlf(filed), Buffer.concat([crlf(BOUNCE), Buffer.from('\r\n\r\n  \r\n')])]) {
      expect(reportIdentity(route, OWN_ID)).toBe(identity);
    }
  });

  it('differs for another report, and for the same body under another Message-ID', () => {
    expect(reportIdentity(fixture('postfix-three-recipients.eml'), '<20261127061240.4C2F81A0B7@relay.example.org>')).not.toBe(identity);
    expect(reportIdentity(BOUNCE, '<another@relay.test>')).not.toBe(identity);
    const changed = Buffer.from(BOUNCE.toString('latin1').replace('User unknown (in reply', 'User unknown (in answer'), 'latin1');
    expect(reportIdentity(changed, OWN_ID)).not.toBe(identity);
  });

  it('without a Message-ID: the whole message, less the fields a delivery adds', () => {
    const bare = Buffer.from('From: a@x.test\nSubject: out of office\n\nI am away.\n');
    const id = reportIdentity(bare, null);
    expect(reportIdentity(Buffer.concat([Buffer.from('Delivered-To: b@y.test\nReturn-Path: <a@x.test>\n'), crlf(bare)]), null)).toBe(id);
    expect(reportIdentity(Buffer.from('From: a@x.test\nSubject: back soon\n\nI am away.\n'), null)).not.toBe(id);
  });

  it('tells apart messages that are not mail, and an empty one from them', () => {
    const png = fixture('not-mail.png');
    const other = Buffer.concat([png.subarray(0, 100), Buffer.from([1, 2, 3]), png.subarray(100)]);
    const ids = new Set([reportIdentity(png, null), reportIdentity(other, null), reportIdentity(new Uint8Array(), null)]);
    expect(ids.size).toBe(3);
  });

  it('a message read only in part (its head): the same identity whatever was added before it', () => {
    const big = Buffer.concat([BOUNCE, Buffer.alloc(3 * 1024 * 1024, 'x')]);
    const head = big.subarray(0, 2 * 1024 * 1024);
    const piped = Buffer.concat([Buffer.from('Delivered-To: fitsdata-bounces@gemini.test\n'), big]).subarray(0, 2 * 1024 * 1024);
    expect(reportIdentity(piped, OWN_ID)).toBe(reportIdentity(head, OWN_ID));
  });
});
