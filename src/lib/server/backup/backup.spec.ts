import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accounts from '#lib/server/accounts/index.js';
import { createDatabase, type Db } from '#lib/server/db/connect.js';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import { tableSummaries, type Manifest } from '#lib/server/backup/manifest.js';
import { readZip } from '#lib/server/platform/zip.js';
import { MIGRATIONS_DIR } from '#lib/server/db/migrate.js';
import { FileMigrationProvider, Migrator } from 'kysely/migration';

// The whole life of a backup through the real commands: seed a database, `npm run backup`,
// `npm run restore` into an empty database, and the copy has the same rows and members can log
// in. Damaged, foreign and too-new backups are refused before anything changes.

const run = promisify(execFile);
const SEED_PASSWORD = 'proofwork-seed-password';

interface Target {
	env: Record<string, string>;
	open: () => Db;
	drop: () => Promise<void>;
}

/** A database of the engine, empty (no migrations) unless `seeded`, reachable by the CLI. */
type MakeTarget = () => Promise<Target>;

function pgliteTargets(root: string): MakeTarget {
	let n = 0;
	return async () => {
		const dir = path.join(root, `pglite-${++n}`);
		return {
			env: { DATABASE_URL: '', PGLITE_DATA_DIR: dir },
			open: () => createDatabase({ pgliteDir: dir }),
			drop: async () => fs.rmSync(dir, { recursive: true, force: true })
		};
	};
}

function postgresTargets(engine: ReturnType<typeof testEngines>[number]): MakeTarget {
	return async () => {
		const t: TestDatabase = await engine.create({ migrate: false });
		// The CLI opens its own connections; this spec's pool stays closed meanwhile.
		await t.db.destroy();
		return {
			env: { DATABASE_URL: t.url!, PGLITE_DATA_DIR: '' },
			open: () => createDatabase({ databaseUrl: t.url }),
			drop: t.drop
		};
	};
}

async function cli(script: string, args: string[], target: Target) {
	try {
		const { stdout } = await run('node', [`src/cli/${script}.ts`, ...args], {
			env: { ...process.env, LOG_LEVEL: 'silent', ...target.env }
		});
		return { ok: true, output: stdout };
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string };
		return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
	}
}

async function summaries(target: Target) {
	const db = target.open();
	try {
		return await db.transaction().execute((trx) => tableSummaries(trx));
	} finally {
		await db.destroy();
	}
}

async function repack(file: string, out: string, change: (m: Manifest) => Manifest) {
	const entries = await readZip(file);
	const manifest = change(JSON.parse(entries.get('manifest.json')!.toString('utf8')));
	const zip = new yazl.ZipFile();
	zip.addBuffer(Buffer.from(JSON.stringify(manifest)), 'manifest.json');
	for (const [name, bytes] of entries)
		if (name !== 'manifest.json') zip.addBuffer(bytes, name, { compress: false });
	zip.end();
	await pipeline(zip.outputStream, fs.createWriteStream(out));
}

const engines = testEngines().map((engine) => ({
	name: engine.name,
	engine
}));

describe.each(engines)('backup and restore on $name', { timeout: 180_000 }, ({ name, engine }) => {
	let root: string;
	let makeTarget: MakeTarget;
	let source: Target;
	let backupFile: string;
	let manifest: Manifest;
	const targets: Target[] = [];
	const fresh = async () => {
		const target = await makeTarget();
		targets.push(target);
		return target;
	};

	beforeAll(async () => {
		root = fs.mkdtempSync(path.join(os.tmpdir(), 'proofwork-backup-spec-'));
		makeTarget = name === 'pglite' ? pgliteTargets(root) : postgresTargets(engine);
		source = await fresh();
		const seeded = await cli(
			'seed',
			['--profiles', '12', '--endorsements-per-profile', '3'],
			source
		);
		expect(seeded.output).toContain('Seeded 12 profiles');
		// Binary columns and a member's own writes travel too.
		const db = source.open();
		try {
			const user = await db
				.selectFrom('users')
				.select('id')
				.orderBy('id')
				.executeTakeFirstOrThrow();
			await db
				.insertInto('avatars')
				.values({
					user_id: user.id,
					large: Buffer.from([0, 1, 2, 255]),
					small: Buffer.from([7]),
					etag: 'e'
				})
				.onConflict((oc) => oc.column('user_id').doNothing())
				.execute();
		} finally {
			await db.destroy();
		}
	}, 180_000);
	afterAll(async () => {
		for (const target of targets) await target.drop();
		fs.rmSync(root, { recursive: true, force: true });
	});

	it('backs up into one file with a manifest of the app version, migration and checksums', async () => {
		const result = await cli('backup', [path.join(root, 'backups')], source);
		expect(result.ok, result.output).toBe(true);
		backupFile = result.output.trim().split('\n').at(-1)!;
		expect(path.basename(backupFile)).toMatch(
			new RegExp(`^proofwork-${name}-\\d{8}T\\d{6}Z\\.zip$`)
		);
		const entries = await readZip(backupFile);
		manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
		expect(manifest).toMatchObject({
			format: 'proofwork-backup',
			app_version: '0.1.0',
			engine: name,
			last_migration: expect.stringMatching(/^\d{4}_\d\d_\d\d_\d{6}_/)
		});
		expect(manifest.tables.users.rows).toBe(12);
		expect(manifest.tables.endorsements.rows).toBeGreaterThan(0);
		expect(manifest.tables).toEqual(await summaries(source));
		expect(entries.get(manifest.database.file)!.length).toBe(manifest.database.bytes);
	});

	it('restores into an empty database: same rows and checksums, and seeded members log in', async () => {
		const target = await fresh();
		const result = await cli('restore', [backupFile, '--yes-overwrite'], target);
		expect(result.ok, result.output).toBe(true);
		expect(result.output).toContain('row counts and checksums match');
		expect(await summaries(target)).toEqual(manifest.tables);
		const db = target.open();
		try {
			const member = await db
				.selectFrom('users')
				.select(['handle', 'email'])
				.orderBy('id')
				.executeTakeFirstOrThrow();
			const login = await accounts.logIn(db, {
				identifier: member.email,
				password: SEED_PASSWORD,
				ip: '10.9.9.9'
			});
			expect(login.ok).toBe(true);
			const wrong = await accounts.logIn(db, {
				identifier: member.handle,
				password: 'not the password',
				ip: '10.9.9.9'
			});
			expect(wrong.ok).toBe(false);
		} finally {
			await db.destroy();
		}
	});

	it('restores over a database that changed since, putting back exactly what was backed up', async () => {
		const db = source.open();
		try {
			await db.deleteFrom('work_items').execute();
			await db.updateTable('profiles').set({ headline: 'changed after the backup' }).execute();
		} finally {
			await db.destroy();
		}
		expect((await summaries(source)).work_items.rows).toBe(0);
		const result = await cli('restore', [backupFile, '--yes-overwrite'], source);
		expect(result.ok, result.output).toBe(true);
		expect(await summaries(source)).toEqual(manifest.tables);
	});

	it('refuses without --yes-overwrite, and refuses damaged, too new or foreign backups, changing nothing', async () => {
		const target = await fresh();
		const before = name === 'pglite' ? null : await summaries(target);
		const expectRefused = async (file: string, args: string[], message: RegExp) => {
			const result = await cli('restore', [file, ...args], target);
			expect(result.ok).toBe(false);
			expect(result.output).toMatch(message);
			if (before) expect(await summaries(target)).toEqual(before);
			else expect(fs.existsSync(target.env.PGLITE_DATA_DIR)).toBe(false);
		};
		await expectRefused(backupFile, [], /Run again with --yes-overwrite/);

		// One byte of the dump changed: the manifest's sha256 no longer matches.
		const damaged = path.join(root, 'damaged.zip');
		const bytes = fs.readFileSync(backupFile);
		bytes[bytes.length - Math.floor(manifest.database.bytes / 2)] ^= 0xff;
		fs.writeFileSync(damaged, bytes);
		await expectRefused(damaged, ['--yes-overwrite'], /does not match its manifest checksum/);

		const newer = path.join(root, 'newer.zip');
		await repack(backupFile, newer, (m) => ({
			...m,
			app_version: '9.0.0',
			last_migration: '2999_01_01_000000_from_the_future'
		}));
		await expectRefused(newer, ['--yes-overwrite'], /made by a newer Proofwork \(app 9\.0\.0/);

		const foreign = path.join(root, 'foreign.zip');
		await repack(backupFile, foreign, (m) => ({
			...m,
			engine: name === 'pglite' ? 'postgres' : 'pglite'
		}));
		await expectRefused(foreign, ['--yes-overwrite'], /This is a backup of the/);

		const notZip = path.join(root, 'notes.txt');
		fs.writeFileSync(notZip, 'not a backup');
		await expectRefused(notZip, ['--yes-overwrite'], /not a readable backup/);
	});

	it('restores a backup from an earlier version and applies the migrations it lacks', async () => {
		const names = fs
			.readdirSync(MIGRATIONS_DIR)
			.filter((f) => f.endsWith('.ts'))
			.map((f) => f.replace(/\.ts$/, ''))
			.sort();
		const older = await fresh();
		const db = older.open();
		try {
			const migrator = new Migrator({
				db,
				provider: new FileMigrationProvider({
					fs: fs.promises,
					path,
					migrationFolder: MIGRATIONS_DIR
				})
			});
			const { error } = await migrator.migrateTo(names.at(-2)!);
			expect(error).toBeUndefined();
		} finally {
			await db.destroy();
		}
		const backup = await cli('backup', [path.join(root, 'older')], older);
		expect(backup.ok, backup.output).toBe(true);
		const target = await fresh();
		const result = await cli(
			'restore',
			[backup.output.trim().split('\n').at(-1)!, '--yes-overwrite'],
			target
		);
		expect(result.ok, result.output).toBe(true);
		expect(result.output).toContain(`Applied migrations: ${names.at(-1)}.`);
		expect(Object.keys(await summaries(target))).toEqual(Object.keys(await summaries(source)));
	});
});
