import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { EmailAddress } from '../../src/addresses/index.js';
import type { Night } from '../../src/domain/night.js';
import type { Result } from '../../src/domain/result.js';
import type { OutgoingMessage } from '../../src/mail/message.js';
import { emlOf } from '../../src/preview/eml.js';
import { anchorOf, indexPage, type PreviewMessage } from '../../src/preview/index-page.js';

const NIGHT = '20261126' as Night;
const at = new Date('2026-11-26T18:00:00Z');
const addr = (address: string, name: string | null = null) => ({ name, address: address as EmailAddress });

function result(extra: Partial<Result> = {}): Result {
  return {
    id: 101,
    label: 'Auto - GN-2026B-Q-101',
    selection: 'GN-2026B-Q-101/science',
    night: NIGHT,
    status: 'dry-run',
    files: 2,
    to: ['jane@uni.test'],
    cc: ['ngo@office.test'],
    rejected: ['N/A'],
    refused: [],
    error: null,
    notTried: null,
    messageId: '<m@x>',
    url: 'https://archive.test/jsonsummary/night=20261126/GN-2026B-Q-101/science',
    ...extra,
  };
}

function message(extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    from: addr('archive@gemini.test', 'Gemini Observatory Archive'),
    replyTo: addr('helpdesk@gemini.test'),
    to: [addr('jane@uni.test', 'Doe, Jane')],
    cc: [addr('ngo@office.test')],
    bcc: ['audit@gemini.test' as EmailAddress],
    subject: 'New Data for GN-2026B-Q-101/science',
    text: 'Hello,\n<plain & simple>\n',
    html: '<!doctype html><p title="q">Hello &amp; <b>welcome</b></p>',
    messageId: '<m@x>',
    date: at,
    ...extra,
  };
}

const entry = (extra: Partial<PreviewMessage> = {}): PreviewMessage => ({
  file: '101.eml',
  result: result(),
  message: message(),
  ...extra,
});

describe('indexPage', () => {
  it('a value leaves no markup, and no way out of the quoted attribute it sits in', () => {
    const subject = `<a href="x" onclick='y'>&amp;</a>`;
    const html = indexPage({ mode: 'pi', date: NIGHT, generatedAt: at, messages: [entry({ message: message({ subject }) })] });
    const escaped = '&lt;a href&#x3D;&quot;x&quot; onclick&#x3D;&#x27;y&#x27;&gt;&amp;amp;&lt;/a&gt;';
    expect(html).toContain(`<td>${escaped}</td>`);
    expect(html).toContain(`title="HTML body of message 1: ${escaped}"`);
    expect(html).not.toContain(subject);
  });

  it('one summary row and one section per message, in order, with their anchors', () => {
    const html = indexPage({
      mode: 'pi',
      date: NIGHT,
      generatedAt: at,
      messages: [entry(), entry({ file: '102.eml', result: result({ id: 102 }) })],
    });
    expect(html.match(/<tr class="message-row">/g)).toHaveLength(2);
    expect(html.match(/<section class="message"/g)).toHaveLength(2);
    expect(html).toContain(`<a href="#${anchorOf(0)}">1</a>`);
    expect(html).toContain('id="message-2" data-notification="102"');
    expect(html).toContain('<title>yougotdata preview: PI messages for night 20261126</title>');
    expect(html).toContain('2 messages would be sent');
  });

  it('recipients, subject, file count, rejected pieces, status, Bcc as envelope only', () => {
    const html = indexPage({ mode: 'pi', date: NIGHT, generatedAt: at, messages: [entry()] });
    expect(html).toContain('<td>Doe, Jane &lt;jane@uni.test&gt;</td>');
    expect(html).toContain('<td>ngo@office.test</td>');
    expect(html).toContain('<td>New Data for GN-2026B-Q-101/science</td>');
    expect(html).toContain('<td class="num">2</td>');
    expect(html).toContain('<span class="rejected">&quot;N/A&quot;</span>');
    expect(html).toContain('<span class="status">dry-run</span>');
    expect(html).toContain('<dt>Bcc</dt><dd>audit@gemini.test (envelope only)</dd>');
    expect(html).toContain('<dt>Reply-To</dt><dd>helpdesk@gemini.test</dd>');
    expect(html).toContain('<a href="101.eml" download>101.eml</a>');
  });

  it('the message HTML goes whole into a sandboxed srcdoc, attribute-escaped; the text part into a pre', () => {
    const html = indexPage({ mode: 'pi', date: NIGHT, generatedAt: at, messages: [entry()] });
    expect(html).toContain('sandbox=""');
    expect(html).not.toMatch(/sandbox="[^"]*allow-(scripts|same-origin)/);
    expect(html).toContain(
      'srcdoc="&lt;!doctype html&gt;&lt;p title&#x3D;&quot;q&quot;&gt;Hello &amp;amp; &lt;b&gt;welcome&lt;/b&gt;&lt;/p&gt;"',
    );
    expect(html).toContain('<pre>Hello,\n&lt;plain &amp; simple&gt;\n</pre>');
  });

  it('markup in table values (label, selection, addresses, errors) is text; the page has no script and a strict policy', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const html = indexPage({
      mode: 'check',
      date: NIGHT,
      generatedAt: at,
      messages: [
        entry({
          result: result({ label: hostile }),
          message: message({ subject: `Data set to CHECK for ${hostile}`, to: [addr('a@b.test', hostile)] }),
        }),
      ],
      others: [
        result({ id: 9, status: 'invalid-selection', label: hostile, selection: hostile, error: `bad ${hostile}`, rejected: [hostile] }),
      ],
    });
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"`);
    expect(html).toContain('yougotdata preview: CHECK messages for night 20261126');
  });

  it('what sends nothing is listed apart, with its status and reason', () => {
    const html = indexPage({
      mode: 'pi',
      date: '20261125..20261126',
      generatedAt: at,
      messages: [],
      others: [
        result({ id: 5, status: 'no-recipients', error: 'no valid address in piemail; nothing sent', rejected: ['TBD'] }),
        result({ id: 6, status: 'no-data', rejected: [] }),
      ],
    });
    expect(html).toContain('No message would be sent.');
    expect(html).toContain('Notifications without a message (2)');
    expect(html).toContain('<span class="status problem">no-recipients</span>');
    expect(html).toContain('<span class="status quiet">no-data</span>');
    expect(html).toContain('no valid address in piemail; nothing sent; rejected: <span class="rejected">&quot;TBD&quot;</span>');
    expect(html).toContain('PI messages for night 20261125..20261126');
    expect(html).toContain('0 messages would be sent; 2 notifications without one');
  });

  it('a message without HTML says so', () => {
    const html = indexPage({ mode: 'pi', date: NIGHT, generatedAt: at, messages: [entry({ message: message({ html: undefined }) })] });
    expect(html).toContain('<p>(no HTML part)</p>');
    expect(html).not.toContain('<iframe');
  });
});

describe('emlOf', () => {
  it('a real RFC 822 message: the headers SmtpMailer sends, no Bcc, both parts', async () => {
    const raw = await emlOf(message());
    const text = raw.toString();
    expect(text).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(text).not.toMatch(/^Bcc:/im);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('New Data for GN-2026B-Q-101/science');
    expect(mail.messageId).toBe('<m@x>');
    expect(mail.date?.toISOString()).toBe(at.toISOString());
    expect(mail.html).toContain('<b>welcome</b>');
    expect(mail.text).toBe('Hello,\n<plain & simple>\n');
    expect(mail.replyTo?.value[0]?.address).toBe('helpdesk@gemini.test');
    expect(mail.cc).toBeDefined();
  });

  it('no Cc header without Cc; a name with a comma stays one address', async () => {
    const mail = await simpleParser(await emlOf(message({ cc: [], replyTo: undefined })));
    expect(mail.cc).toBeUndefined();
    expect(mail.replyTo).toBeUndefined();
    expect((mail.to as { value: { name: string; address: string }[] }).value).toEqual([{ name: 'Doe, Jane', address: 'jane@uni.test' }]);
  });
});
