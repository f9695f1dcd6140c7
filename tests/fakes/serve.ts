// `node tests/fakes/serve.ts`: the fake networks on fixed ports for end-to-end tests, whose app
// runs in another process. Ports start at FAKE_PORT_BASE (default 4181): Mastodon, Bluesky,
// GitHub, websites. Control them with POST /__fake/<kind> (see networks.ts). Stops on SIGTERM.
import { startFakeNetworks } from './networks.ts';

const base = Number(process.env.FAKE_PORT_BASE ?? 4181);
if (!Number.isInteger(base) || base < 1 || base > 65_532) {
	console.error(`FAKE_PORT_BASE must be a port number, not ${process.env.FAKE_PORT_BASE}`);
	process.exit(1);
}

const fakes = await startFakeNetworks({
	mastodon: base,
	bluesky: base + 1,
	github: base + 2,
	websites: base + 3
});
const { mastodon, bluesky, github, websites } = fakes.ports;
console.log(
	`fake networks listening: mastodon=${mastodon} bluesky=${bluesky} github=${github} websites=${websites}`
);

async function stop() {
	await fakes.close();
	process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
