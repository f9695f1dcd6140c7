// Contact between members: import as a namespace (`import * as messages from ...`).
export * from '#lib/server/messages/rules.js';
export * from '#lib/server/messages/read.js';
export * from '#lib/server/messages/send.js';
