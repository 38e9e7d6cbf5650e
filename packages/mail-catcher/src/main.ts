#!/usr/bin/env node
// `npm start` runs this in development: SMTP on MAIL_SMTP_PORT (1025), the page on MAIL_WEB_PORT (1080).
import { startMailCatcher } from './catcher.js';

const catcher = await startMailCatcher({
  host: process.env.HOST ?? '127.0.0.1',
  smtpPort: Number(process.env.MAIL_SMTP_PORT ?? 1025),
  webPort: Number(process.env.PORT ?? process.env.MAIL_WEB_PORT ?? 1080),
});
process.stdout.write(`mail catcher: SMTP ${catcher.smtpUrl}, mail at ${catcher.webUrl}\n`);
const stop = () => {
  void catcher.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
