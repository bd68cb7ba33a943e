export { type DropPoint, SinkFaults, type SmtpReply } from './faults.js';
export { DEFAULT_HTTP_PORT, DEFAULT_SMTP_PORT, type MailSink, type MailSinkOptions, startMailSink } from './mail-sink.js';
export type { MailHogContent, MailHogMessage, MailHogMime, MailHogPage, MailHogPath } from './mailhog-json.js';
export type { SinkMessage } from './message.js';
export type { MimeEntity } from './mime.js';
export { type SilentSmtpServer, startSilentSmtpServer } from './silent-server.js';
export type { SinkStats, SinkTls } from './smtp.js';
