// Private shortlists of profiles: import as a namespace (`import * as shortlists from ...`).
export * from '#lib/server/shortlists/lists.js';
export * from '#lib/server/shortlists/entries.js';
export * from '#lib/server/shortlists/csv.js';
