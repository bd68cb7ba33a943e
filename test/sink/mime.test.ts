import { describe, expect, it } from 'vitest';
import { headerValues, parseMimeEntity } from '../../src/sink/mime.js';

const crlf = (lines: string[]) => lines.join('\r\n');

describe('parseMimeEntity, as MailHog splits a message', () => {
  it('unfolds headers, keeps repeated ones, and keeps the body undecoded', () => {
    const entity = parseMimeEntity(
      crlf(['Received: from a', 'Received: from b', 'Subject: a long', '\tsubject', 'X-Empty:', '', 'body=3D', 'line 2']),
    );
    expect(entity.headers).toEqual({ Received: ['from a', 'from b'], Subject: ['a long\tsubject'], 'X-Empty': [''] });
    expect(entity.body).toBe('body=3D\r\nline 2');
    expect(entity.parts).toBeNull();
    expect(headerValues(entity.headers, 'subject')).toEqual(['a long\tsubject']);
  });

  it('treats text without a blank line as body, like MailHog, and counts size in bytes', () => {
    const entity = parseMimeEntity('héllo');
    expect(entity).toEqual({ headers: {}, body: 'héllo', size: 6, parts: null });
  });

  it('splits nested multipart, dropping preamble and epilogue', () => {
    const entity = parseMimeEntity(
      crlf([
        'Content-Type: multipart/mixed; boundary="outer (1)"',
        '',
        'preamble',
        '--outer (1)',
        'Content-Type: multipart/alternative;',
        ' boundary=inner',
        '',
        '--inner',
        'Content-Type: text/plain',
        '',
        'plain',
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>html</p>',
        '--inner--',
        '--outer (1)',
        '',
        'no headers here',
        '--outer (1)--',
        'epilogue',
      ]),
    );
    const [alternative, bare] = entity.parts ?? [];
    // the blank line that ends the (empty) header section counts in the size
    expect(entity.parts).toHaveLength(2);
    expect(alternative?.parts?.map((p) => [p.headers['Content-Type'], p.body])).toEqual([
      [['text/plain'], 'plain'],
      [['text/html'], '<p>html</p>'],
    ]);
    expect(bare).toEqual({ headers: {}, body: 'no headers here', size: 17, parts: null });
  });

  it('gives a multipart entity without a boundary no parts', () => {
    expect(parseMimeEntity(crlf(['Content-Type: multipart/mixed', '', 'x'])).parts).toEqual([]);
  });
});
