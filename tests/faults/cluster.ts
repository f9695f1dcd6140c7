// A throwaway PostgreSQL cluster that the fault suite may stop and start at will: initdb into a
// temporary directory, its own port and socket directory. A shared server (TEST_DATABASE_URL) is
// never restarted. Run as root, the cluster runs as the `postgres` OS user, as PostgreSQL requires.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Cluster {
	url: string;
	stop(): Promise<void>;
	start(): Promise<void>;
	remove(): Promise<void>;
}

function binDir(): string {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!versions.length)
		throw new Error('initdb not found: install PostgreSQL or set PG_BIN to its bin directory.');
	return path.join(root, versions[0], 'bin');
}

export async function createCluster(port: number): Promise<Cluster> {
	const bin = binDir();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofwork-faults-pg-'));
	const data = path.join(dir, 'data');
	const socket = path.join(dir, 'sock');
	fs.mkdirSync(socket);
	const asRoot = process.getuid?.() === 0;
	if (asRoot) {
		fs.chmodSync(dir, 0o755);
		for (const d of [dir, socket]) await run('chown', ['postgres:', d]);
	}
	const pg = (tool: string, args: string[]) =>
		asRoot
			? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args])
			: run(path.join(bin, tool), args);
	await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
	// fsync stays on: the suite checks that what was acknowledged survives.
	const options = `-p ${port} -k ${socket} -c listen_addresses=127.0.0.1 -c max_connections=60`;
	const logFile = path.join(dir, 'postgres.log');
	let running = false;
	const cluster: Cluster = {
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		async start() {
			await pg('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '30', 'start']);
			running = true;
		},
		async stop() {
			// -m fast: sessions are terminated (57P01) and the server shuts down cleanly, as in a restart.
			await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
			running = false;
		},
		async remove() {
			if (running) await cluster.stop().catch(() => {});
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
	await cluster.start();
	return cluster;
}
