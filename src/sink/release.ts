import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { SinkMessage } from './message.js';

/** The body of POST /api/v1/messages/{id}/release, as MailHog takes it. */
export const releaseTargetSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  email: z.string().min(1),
  username: z.string().optional(),
  password: z.string().optional(),
  mechanism: z.string().optional(),
});

export type ReleaseTarget = z.output<typeof releaseTargetSchema>;

/** Relays the stored message, unchanged, to one recipient through another SMTP server. */
export async function releaseMessage(message: SinkMessage, target: ReleaseTarget): Promise<void> {
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    ...(target.username !== undefined && { auth: { user: target.username, pass: target.password ?? '' } }),
    ...(target.mechanism !== undefined && { authMethod: target.mechanism }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.sendMail({ envelope: { from: message.envelope.from, to: [target.email] }, raw: message.raw });
  } finally {
    transport.close();
  }
}
