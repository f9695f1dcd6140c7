// `node tests/fakes/s3-server.ts`: the local S3-compatible server for a whole test run (.ci/run
// starts it in the background). Prints its S3_URL on one line once it listens; TEST_S3_URL takes
// that. S3_FAKE_PORT picks the port (default: any free one). Stops on SIGTERM.
import { startFakeS3 } from './s3.ts';

const port = Number(process.env.S3_FAKE_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
	console.error(`S3_FAKE_PORT must be a port number, not ${process.env.S3_FAKE_PORT}`);
	process.exit(1);
}
const server = await startFakeS3({ port });
console.log(server.url);

async function stop() {
	await server.close();
	process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
