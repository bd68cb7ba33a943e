import mailhog from 'mailhog';
import { type AddressObject, simpleParser } from 'mailparser';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MailHogMessage, type MailHogPage, type MailSink, startMailSink } from '../../src/sink/index.js';

let sink: MailSink;
let relayTarget: MailSink;
let transport: Transporter;
let hog: ReturnType<typeof mailhog>;

beforeAll(async () => {
  [sink, relayTarget] = await Promise.all([startMailSink(), startMailSink()]);
  transport = nodemailer.createTransport(sink.smtpUrl);
  hog = mailhog({ host: '127.0.0.1', port: sink.httpPort });
});

afterAll(async () => {
  transport.close();
  await Promise.all([sink.close(), relayTarget.close()]);
});

beforeEach(() => {
  sink.clear();
  relayTarget.clear();
});

/** The message the job sends, in miniature: To, Cc, Bcc, text and HTML. */
function sendNotification(subject = 'New Data for GN-2026B-Q-101/science') {
  return transport.sendMail({
    from: '"Gemini Archive" <archive@gemini.example>',
    to: 'Pat PI <pi@uni.example>',
    cc: ['ngo@office.example', 'cs@gemini.example'],
    bcc: 'audit@gemini.example',
    subject,
    text: 'N20261127S0001.fits arrived',
    html: '<p>N20261127S0001.fits arrived</p>',
  });
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return [field ?? []].flat().flatMap((group) => group.value.map((a) => a.address ?? ''));
}

function envelopeTo(message: MailHogMessage): string[] {
  return message.To.map((path) => `${path.Mailbox}@${path.Domain}`);
}

async function sendNumbered(count: number): Promise<void> {
  for (let n = 1; n <= count; n += 1) {
    await transport.sendMail({ from: `sender${n}@example.org`, to: `rcpt${n}@example.org`, subject: `message ${n}`, text: `body ${n}` });
  }
}

describe('the mailhog npm client, used unchanged', () => {
  it('lists a message with its envelope, headers, decoded texts and MIME parts', async () => {
    const info = await sendNotification();
    const page = await hog.messages();
    expect(page).toMatchObject({ total: 1, count: 1, start: 0 });
    const item = page!.items[0]!;
    expect(item.subject).toBe('New Data for GN-2026B-Q-101/science');
    expect(item.from).toBe('Gemini Archive <archive@gemini.example>');
    expect(item.to).toBe('Pat PI <pi@uni.example>');
    expect(item.text).toBe('N20261127S0001.fits arrived');
    expect(item.html).toBe('<p>N20261127S0001.fits arrived</p>');
    expect(item.bcc).toBeUndefined();
    expect(Math.abs(item.deliveryDate.getTime() - Date.now())).toBeLessThan(10_000);
    expect(item.MIME.Parts.map((part) => String(part.Headers['Content-Type' as keyof typeof part.Headers]))).toEqual([
      'text/plain; charset=utf-8',
      'text/html; charset=utf-8',
    ]);
    const raw = item as unknown as MailHogMessage;
    expect(raw.ID).toMatch(/@mail-sink$/);
    expect(raw.From).toEqual({ Relays: null, Mailbox: 'archive', Domain: 'gemini.example', Params: '' });
    expect(envelopeTo(raw)).toEqual(['pi@uni.example', 'ngo@office.example', 'cs@gemini.example', 'audit@gemini.example']);
    expect(raw.Raw.To).toEqual(envelopeTo(raw));
    expect(raw.Raw.From).toBe('archive@gemini.example');
    expect(raw.Raw.Helo).not.toBe('');
    expect(raw.Content.Headers['Message-ID']).toEqual([info.messageId]);
    expect(raw.Content.Headers['Return-Path']).toEqual(['<archive@gemini.example>']);
    expect(Object.keys(raw.Content.Headers).map((name) => name.toLowerCase())).not.toContain('bcc');
    expect(raw.Content.Size).toBe(Buffer.byteLength(raw.Raw.Data));
    expect(new Date(raw.Created).toISOString()).toBe(raw.Created);
  });

  it('keeps Bcc in the envelope only: the transmitted message has To and Cc headers and no Bcc', async () => {
    await sendNotification();
    const item = (await hog.latestTo('audit@gemini.example')) as unknown as MailHogMessage;
    const parsed = await simpleParser(item.Raw.Data);
    expect(addresses(parsed.to)).toEqual(['pi@uni.example']);
    expect(addresses(parsed.cc)).toEqual(['ngo@office.example', 'cs@gemini.example']);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(sink.messages()[0]?.envelope.to).toContain('audit@gemini.example');
  });

  it('pages newest first with start and limit', async () => {
    await sendNumbered(5);
    const first = await hog.messages(0, 2);
    const second = await hog.messages(2, 2);
    const last = await hog.messages(4, 2);
    expect(first!.items.map((m) => m.subject)).toEqual(['message 5', 'message 4']);
    expect(second).toMatchObject({ total: 5, count: 2, start: 2 });
    expect(second!.items.map((m) => m.subject)).toEqual(['message 3', 'message 2']);
    expect(last!.items.map((m) => m.subject)).toEqual(['message 1']);
    expect(sink.messages().map((m) => m.subject)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
  });

  it('searches by from, to and containing, with paging', async () => {
    await sendNumbered(3);
    await sendNotification();
    expect((await hog.search('sender2@', 'from'))!.items.map((m) => m.subject)).toEqual(['message 2']);
    expect((await hog.search('RCPT3@EXAMPLE.ORG', 'to'))!.items.map((m) => m.subject)).toEqual(['message 3']);
    expect((await hog.search('cs@gemini.example', 'to'))!.total).toBe(1); // a Cc recipient is in the envelope
    expect((await hog.search('body'))!.total).toBe(3);
    const paged = await hog.search('example.org', 'from', 1, 1);
    expect(paged).toMatchObject({ total: 3, count: 1, start: 1 });
    expect(paged!.items[0]!.subject).toBe('message 2');
    expect((await hog.search('nothing like this', 'containing'))!.count).toBe(0);
  });

  it('finds the latest message from, to or containing; 0 when none matches', async () => {
    await sendNumbered(2);
    await sendNotification('first');
    await sendNotification('second');
    expect((await hog.latestTo('pi@uni.example'))!.subject).toBe('second');
    expect((await hog.latestTo('audit@gemini.example'))!.subject).toBe('second');
    expect((await hog.latestFrom('archive@gemini.example'))!.subject).toBe('second');
    expect((await hog.latestFrom('sender1@example.org'))!.subject).toBe('message 1');
    expect((await hog.latestContaining('body 2'))!.subject).toBe('message 2');
    expect(await hog.latestTo('nobody@nowhere.example')).toBe(0);
  });

  it('searches the decoded text too, where quoted-printable hides words from MailHog', async () => {
    await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: 'Données reçues',
      text: `${'x'.repeat(70)} Objet: Nébuleuse d'Orion`,
    });
    const stored = sink.messages()[0]!;
    expect(stored.content.body).not.toContain('Nébuleuse');
    expect(stored.subject).toBe('Données reçues');
    expect((await hog.latestContaining("nébuleuse d'orion"))!.ID).toBe(stored.id);
    expect((await hog.latestContaining('données reçues'))!.ID).toBe(stored.id);
  });

  it('deletes one message, then all', async () => {
    await sendNumbered(3);
    const page = await hog.messages();
    const middle = page!.items[1]!;
    await hog.deleteMessage(middle.ID);
    expect((await hog.messages())!.items.map((m) => m.subject)).toEqual(['message 3', 'message 1']);
    await hog.deleteAll();
    expect(await hog.messages()).toMatchObject({ total: 0, count: 0, items: [] });
    expect(sink.messages()).toEqual([]);
  });

  it('releases a message to a second sink, for the given recipient only', async () => {
    await sendNotification();
    const id = (await hog.messages())!.items[0]!.ID;
    const response = await hog.releaseMessage(id, { host: '127.0.0.1', port: String(relayTarget.smtpPort), email: 'reviewer@example.org' });
    expect(response.statusCode).toBe(200);
    const relayed = relayTarget.messages();
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.envelope).toMatchObject({ from: 'archive@gemini.example', to: ['reviewer@example.org'] });
    expect(relayed[0]!.raw).toBe(sink.messages()[0]!.raw);
    const seen = await mailhog({ host: '127.0.0.1', port: relayTarget.httpPort }).latestTo('reviewer@example.org');
    expect(seen!.subject).toBe('New Data for GN-2026B-Q-101/science');
  });

  it('exposes nested multipart: the alternative inside the mixed part of a message with an attachment', async () => {
    await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: 'with attachment',
      text: 'see attached',
      html: '<p>see attached</p>',
      attachments: [{ filename: 'files.csv', content: 'name,qa\nN1.fits,Pass\n' }],
    });
    const item = (await hog.messages())!.items[0]!;
    expect(item.attachments.map((a) => a.name)).toEqual(['files.csv']);
    const raw = item as unknown as MailHogMessage;
    const alternative = raw.MIME!.Parts[0]!;
    expect(alternative.Headers['Content-Type']![0]).toMatch(/^multipart\/alternative/);
    expect(alternative.MIME!.Parts.map((p) => p.Body)).toEqual(['see attached', '<p>see attached</p>']);
    expect(raw.MIME!.Parts[1]!.MIME).toBeNull();
  });
});

describe('the HTTP API beyond the client', () => {
  async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${sink.apiUrl}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  it('serves one message, its raw download, and the v1 list newest first', async () => {
    await sendNumbered(2);
    const [older, newer] = sink.messages();
    const one = await getJson<MailHogMessage>(`/api/v1/messages/${encodeURIComponent(older!.id)}`);
    expect(one.status).toBe(200);
    expect(one.body.Raw.Data).toBe(older!.raw);
    const download = await fetch(`${sink.apiUrl}/api/v1/messages/${encodeURIComponent(newer!.id)}/download`);
    expect(download.headers.get('content-type')).toBe('message/rfc822');
    expect(await download.text()).toBe(newer!.raw);
    const list = await getJson<MailHogMessage[]>('/api/v1/messages');
    expect(list.body.map((m) => m.ID)).toEqual([newer!.id, older!.id]);
  });

  it('answers 400 for a bad search, 404 for an unknown message or route, and caps a page at 250', async () => {
    expect((await getJson('/api/v2/search?kind=subject&query=x')).status).toBe(400);
    expect((await getJson('/api/v2/search?kind=to')).status).toBe(400);
    expect((await fetch(`${sink.apiUrl}/api/v1/messages/nope`, { method: 'DELETE' })).status).toBe(404);
    expect((await getJson('/api/v3/whatever')).status).toBe(404);
    await sendNumbered(1);
    const page = await getJson<MailHogPage>('/api/v2/messages?start=-3&limit=100000');
    expect(page.body).toMatchObject({ total: 1, count: 1, start: 0 });
  });

  it('answers 400 to a release without a target and 502 when the target refuses', async () => {
    await sendNumbered(1);
    const id = encodeURIComponent(sink.messages()[0]!.id);
    const post = (body: unknown) => fetch(`${sink.apiUrl}/api/v1/messages/${id}/release`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ host: '127.0.0.1' })).status).toBe(400);
    relayTarget.faults.rejectRecipient('refused@example.org', { code: 550, message: 'no such user' });
    const refused = await post({ host: '127.0.0.1', port: relayTarget.smtpPort, email: 'refused@example.org' });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: string }).error).toMatch(/550 no such user/);
    relayTarget.faults.reset();
  });
});
