import { expect, request, test } from '@playwright/test';

// The e2e server trusts X-Forwarded-For (ADDRESS_HEADER), as behind a proxy. A request that reached
// it without that header (around the proxy) is still answered, never with a 500: it shares one
// address for the rate limits, so leaving the header out escapes none of them.
test('requests without the proxy address header are answered, not failed', async ({ baseURL }) => {
	const bare = await request.newContext({ baseURL, extraHTTPHeaders: {} });
	for (const path of ['/search?q=copywriting', '/login', '/signup', '/reset-password']) {
		const response = await bare.get(path);
		expect(response.status(), path).toBe(200);
	}
	const login = await bare.post('/login', {
		form: { identifier: 'nobody_here', password: 'not the password' },
		headers: { origin: baseURL! }
	});
	expect(login.status()).toBeLessThan(500);
	await bare.dispose();
});
