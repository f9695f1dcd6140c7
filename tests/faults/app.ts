// The built app as a child process, the way `npm start` runs it: started, killed, stopped and
// watched by the fault suite. Its log (JSON lines) goes to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';

// The Node flags and environment of `npm start` (package.json), so the suite measures the app as
// it is run.
const START_SCRIPT: string = JSON.parse(
	fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
).scripts.start;
const START_FLAGS: string[] = START_SCRIPT.match(/--[\w-]+=\S+/g) ?? [];
const START_ENV: Record<string, string> = Object.fromEntries(
	[...START_SCRIPT.matchAll(/(?:^|\s)([A-Z_]+)=(\S+)(?=\s)/g)].map((m) => [m[1], m[2]])
);

export const ROOT = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface AppOptions {
	port: number;
	env: Record<string, string>;
	logFile: string;
	shutdownTimeout: number;
	/** The address people use, when it is not this process's own (behind a proxy). */
	publicUrl?: string;
}

export class App {
	readonly base: string;
	child: ChildProcess | undefined;
	/** Exits nobody asked for: a crash. */
	crashes: string[] = [];
	private expectingExit = false;
	private options: AppOptions;

	constructor(options: AppOptions) {
		this.options = options;
		this.base = `http://127.0.0.1:${options.port}`;
	}

	start(): void {
		const log = fs.openSync(this.options.logFile, 'a');
		this.expectingExit = false;
		const child = spawn(process.execPath, [...START_FLAGS, 'src/server.js'], {
			cwd: ROOT,
			env: {
				...process.env,
				...START_ENV,
				...this.options.env,
				PORT: String(this.options.port),
				HOST: '127.0.0.1',
				PUBLIC_URL: this.options.publicUrl ?? this.base,
				SMTP_URL: '',
				ADDRESS_HEADER: 'x-forwarded-for',
				XFF_DEPTH: '1',
				SHUTDOWN_TIMEOUT: String(this.options.shutdownTimeout),
				LOG_LEVEL: process.env.FAULTS_LOG_LEVEL || 'warn'
			},
			stdio: ['ignore', log, log]
		});
		fs.closeSync(log);
		child.once('exit', (code, signal) => {
			if (!this.expectingExit) this.crashes.push(`exit code ${code}, signal ${signal}`);
		});
		this.child = child;
	}

	get running(): boolean {
		return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
	}

	/** Waits until /readyz answers 200; returns the milliseconds it took. */
	async waitReady(timeoutMs = 60_000): Promise<number> {
		const started = Date.now();
		while (Date.now() - started < timeoutMs) {
			if (!this.running) throw new Error(`The app exited while starting (${this.crashes.at(-1)}).`);
			try {
				const response = await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(3000) });
				await response.arrayBuffer();
				if (response.status === 200) return Date.now() - started;
			} catch {
				// not listening yet
			}
			await sleep(100);
		}
		throw new Error(`The app was not ready within ${timeoutMs / 1000} s.`);
	}

	private exited(): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
		return new Promise((resolve) => child.once('exit', () => resolve()));
	}

	async kill(): Promise<void> {
		this.expectingExit = true;
		this.child?.kill('SIGKILL');
		await this.exited();
	}

	/** SIGTERM; resolves with the milliseconds until the process had exited. */
	async terminate(): Promise<number> {
		this.expectingExit = true;
		const started = performance.now();
		const done = this.exited();
		this.child?.kill('SIGTERM');
		const timer = setTimeout(() => this.child?.kill('SIGKILL'), 20_000);
		await done;
		clearTimeout(timer);
		return performance.now() - started;
	}

	/** Resident memory of the app process in bytes, from /proc (Linux). */
	rss(): number | undefined {
		try {
			const status = fs.readFileSync(`/proc/${this.child?.pid}/status`, 'utf8');
			const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
			return kb ? Number(kb) * 1024 : undefined;
		} catch {
			return undefined;
		}
	}
}
