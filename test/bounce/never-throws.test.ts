import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPORT_KINDS, readReport } from '../../src/bounce/index.js';

/** Pieces real reports are made of, so that random input reaches the parsers beyond the first line. */
const piece = fc.constantFrom(
  'From: MAILER-DAEMON@relay.example.org\r\n',
  'Subject: Undelivered Mail Returned to Sender\r\n',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n',
  'Content-Type: message/delivery-status\r\n',
  'Content-Type: message/rfc822\r\n',
  'Content-Type: message/feedback-report\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Auto-Submitted: auto-replied\r\n',
  '\r\n',
  '--B\r\n',
  '--B--\r\n',
  'Final-Recipient: rfc822; a@example.org\r\n',
  'Final-Recipient: utf-8; \\x{110000}@example.org\r\n',
  'Action: failed\r\nStatus: 5.1.1\r\n',
  'Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n',
  '<a@example.org>:\r\n',
  '--- Below this line is a copy of the message.\r\n',
  'Message-ID: <yougotdata.1.2.pi.x@example.org>\r\n',
  '    folded\r\n',
);

describe('readReport', () => {
  it('never throws and always says what the input is, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.array(fc.oneof(piece, fc.string({ maxLength: 40 })), { maxLength: 60 }).map((p) => p.join('')),
        ),
        async (input) => {
          const reading = await readReport(input);
          expect(REPORT_KINDS).toContain(reading.kind);
          // The reader's own catch-all is for what the parser rejects, not for its own mistakes.
          expect(reading.problems.filter((p) => p.code === 'unexpected')).toEqual([]);
          if (reading.kind !== 'bounce' && reading.kind !== 'delay') expect(reading.recipients).toEqual([]);
          expect(JSON.parse(JSON.stringify(reading))).toEqual(reading);
        },
      ),
      { numRuns: 400 },
    );
  });
});
