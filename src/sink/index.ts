export { startMailSink, DEFAULT_HTTP_PORT, DEFAULT_SMTP_PORT, type MailSink, type MailSinkOptions } from './mail-sink.js';
export { startSilentSmtpServer, type SilentSmtpServer } from './silent-server.js';
export { SinkFaults, type DropPoint, type SmtpReply } from './faults.js';
export type { SinkMessage } from './message.js';
export type { MimeEntity } from './mime.js';
export type { SinkStats, SinkTls } from './smtp.js';
export type { MailHogMessage, MailHogPage, MailHogContent, MailHogMime, MailHogPath } from './mailhog-json.js';
