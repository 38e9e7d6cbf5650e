export { fetchMail, linksIn, startMailCatcher, type CaughtMail, type MailCatcher, type MailCatcherOptions, type MailQuery } from './catcher.js';
