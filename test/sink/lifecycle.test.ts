import net from 'node:net';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { startMailSink } from '../../src/sink/index.js';
import { localhostTls } from '../harness/tls.js';

/** Resolves once something can listen on the port again. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startMailSink', () => {
  it('listens on free ports and gives their URLs', async () => {
    const sink = await startMailSink();
    try {
      expect(sink.smtpPort).toBeGreaterThan(0);
      expect(sink.httpPort).not.toBe(sink.smtpPort);
      expect(sink.apiUrl).toBe(`http://127.0.0.1:${sink.httpPort}`);
      expect(sink.smtpUrl).toBe(`smtp://127.0.0.1:${sink.smtpPort}`);
    } finally {
      await sink.close();
    }
  });

  it('close() releases both ports at once, even with idle SMTP and keep-alive HTTP clients connected', async () => {
    const sink = await startMailSink();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.smtpPort, pool: true });
    await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', text: 'x' });
    await fetch(`${sink.apiUrl}/api/v2/messages`);
    const started = Date.now();
    await sink.close();
    await sink.close();
    transport.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await portIsFree(sink.smtpPort)).toBe(true);
    expect(await portIsFree(sink.httpPort)).toBe(true);
  });

  it('rejects when a port is taken, leaving the other one free', async () => {
    const first = await startMailSink();
    const httpPort = first.httpPort;
    await first.close();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const takenPort = (holder.address() as net.AddressInfo).port;
    try {
      await expect(startMailSink({ smtpPort: 0, httpPort: takenPort })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(startMailSink({ smtpPort: takenPort, httpPort })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(await portIsFree(httpPort)).toBe(true);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('keeps messages oldest first, as snapshots, until clear()', async () => {
    const sink = await startMailSink();
    const transport = nodemailer.createTransport(sink.smtpUrl);
    try {
      await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'one', text: 'x' });
      const snapshot = sink.messages();
      await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject: 'two', text: 'y' });
      expect(snapshot.map((m) => m.subject)).toEqual(['one']);
      expect(sink.messages().map((m) => m.subject)).toEqual(['one', 'two']);
      sink.clear();
      expect(sink.messages()).toEqual([]);
      expect(sink.stats.accepted).toBe(2);
    } finally {
      transport.close();
      await sink.close();
    }
  });

  it('with a certificate, offers STARTTLS and marks what came over TLS; without one, offers no TLS', async () => {
    const plain = await startMailSink();
    const tls = await startMailSink({ tls: localhostTls });
    const send = async (url: string, subject: string, trusted: boolean) => {
      const transport = nodemailer.createTransport({ url, tls: { ca: trusted ? localhostTls.cert : undefined } });
      try {
        return await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject, text: 'x' });
      } finally {
        transport.close();
      }
    };
    try {
      await send(plain.smtpUrl, 'clear', false);
      await send(tls.smtpUrl, 'encrypted', true);
      await expect(send(tls.smtpUrl, 'untrusted', false)).rejects.toThrow(/self-signed certificate/);
      expect(plain.messages().map((m) => [m.subject, m.secure])).toEqual([['clear', false]]);
      expect(tls.messages().map((m) => [m.subject, m.secure])).toEqual([['encrypted', true]]);
    } finally {
      await Promise.all([plain.close(), tls.close()]);
    }
  });
});
