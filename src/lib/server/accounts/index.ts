// Accounts: import as a namespace (`import * as accounts from ...`).
export * from '#lib/server/accounts/users.js';
export * from '#lib/server/accounts/signup.js';
export * from '#lib/server/accounts/login.js';
export * from '#lib/server/accounts/tokens.js';
export * from '#lib/server/accounts/settings.js';
export * from '#lib/server/accounts/deletion.js';
