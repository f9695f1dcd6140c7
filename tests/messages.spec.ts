import fs from 'node:fs';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { newAccount, newUser, seriousViolations, type User } from './helpers';

// Nia is contacted; later tests write to her too, so the tests run in order. Five accounts, from
// this file's own address: sign-ups are rate-limited per IP across the whole e2e run.
test.use({ extraHTTPHeaders: { 'X-Forwarded-For': '10.80.0.1' } });
test.describe.configure({ mode: 'serial' });

type State = Awaited<ReturnType<BrowserContext['storageState']>>;

const nia = newUser('nia');
const omar = newUser('omar');
const una = newUser('una');
const fresh = newUser('fresh');
const tess = newUser('tess');

const NIA = 'Nia Adeyemi';
const OMAR = 'Omar Haddad';
const TESS = 'Tess Moreau';
const SUBJECT = 'Community lead for our spring launch';
// Markup in a message is shown as the text it is, never run.
const BODY =
	'Hello Nia, we launch Harbour Tales in April and need someone to run its Discord. <b>Paid</b>, three months.';
const REPLY = 'Thanks Omar. I am free from March; how big is the community today?';
const OTHER_SUBJECT = 'Quick favour';

const states: Record<string, State> = {};
let declinedUrl = '';

async function as(browser: Browser, who: string, javaScriptEnabled = true): Promise<Page> {
	const context = await browser.newContext({ storageState: states[who], javaScriptEnabled });
	return context.newPage();
}

async function done(page: Page) {
	await page.context().close();
}

async function newMember(
	browser: Browser,
	user: User,
	{
		name,
		verify = true,
		javaScriptEnabled = true
	}: Partial<Record<'verify' | 'javaScriptEnabled', boolean>> & {
		name?: string;
	} = {}
): Promise<Page> {
	const page = await newAccount(browser, user, {
		javaScriptEnabled,
		verify,
		profile: name ? { name } : undefined
	});
	states[user.handle] = await page.context().storageState();
	return page;
}

/** Mails to `to`, read from the server log (no SMTP in tests): subject and whole text. */
function mailsTo(to: string): { subject: string; text: string }[] {
	const log = fs.readFileSync('tests/.artifacts/e2e/server.log', 'utf8');
	const mails = [];
	for (const line of log.split('\n')) {
		if (!line.startsWith('{')) continue;
		const entry = JSON.parse(line) as { outbox?: { to: string; subject: string }; msg?: string };
		if (entry.outbox?.to === to)
			mails.push({ subject: entry.outbox.subject, text: entry.msg ?? '' });
	}
	return mails.filter((m) => !/verify/i.test(m.subject));
}

async function expectMail(to: string, subject: string, text: string) {
	await expect
		.poll(() => mailsTo(to).some((m) => m.subject === subject && m.text.includes(text)))
		.toBe(true);
}

const section = (page: Page, name: 'Received' | 'Sent') =>
	page.getByRole('region', { name: new RegExp(`^${name} \\(\\d+\\)$`) });
const message = (page: Page, author: string) =>
	page.getByRole('article', { name: `Message from ${author}`, exact: true });

async function contact(page: Page, handle: string, subject: string, body: string) {
	await page.goto(`/@${handle}/contact`);
	await page.getByLabel('Subject').fill(subject);
	await page.getByLabel('Message').fill(body);
	await page.getByRole('button', { name: 'Send message' }).click();
}

test('an employer contacts a practitioner, she replies, he reads it; she declines another', async ({
	browser
}) => {
	const practitioner = await newMember(browser, nia, { name: NIA });
	const employer = await newMember(browser, omar, { name: OMAR });

	await employer.goto(`/@${nia.handle}/contact`);
	await expect(employer.getByRole('heading', { level: 1, name: `Contact ${NIA}` })).toBeVisible();
	expect(await seriousViolations(employer)).toEqual([]);
	// A mistake first: the message sits by the field and what was typed stays.
	await employer.getByLabel('Message').fill(BODY);
	const [refused] = await Promise.all([
		employer.waitForResponse((r) => r.request().method() === 'POST'),
		employer.getByRole('button', { name: 'Send message' }).click()
	]);
	expect(refused.status()).toBe(400);
	await expect(employer.getByLabel('Subject')).toHaveAccessibleDescription(
		'Give your message a subject.'
	);
	await expect(employer.getByLabel('Subject')).toHaveAttribute('aria-invalid', 'true');
	await expect(employer.getByLabel('Message')).toHaveValue(BODY);
	await employer.getByLabel('Subject').fill(SUBJECT);
	await employer.getByRole('button', { name: 'Send message' }).click();
	await expect(employer).toHaveURL(/\/dashboard\/messages\/\d+\?saved=sent$/);
	await expect(employer.getByRole('status')).toHaveText(
		'Message sent. Their reply will appear here, and we will email it to you.'
	);
	await expect(employer.getByRole('heading', { level: 1 })).toHaveText(SUBJECT);
	await expect(message(employer, 'You')).toContainText(BODY);
	await expect(employer.getByRole('button', { name: 'Decline conversation' })).toHaveCount(0);
	await expectMail(nia.email, `Message from @${omar.handle}: ${SUBJECT}`, BODY);

	await practitioner.goto('/dashboard/messages');
	expect(await seriousViolations(practitioner)).toEqual([]);
	const received = section(practitioner, 'Received');
	await expect(received.getByRole('heading')).toHaveText('Received (1)');
	await expect(received.getByRole('listitem')).toContainText(
		`From ${OMAR} (@${omar.handle}) · 1 message`
	);
	await expect(received.getByRole('listitem')).toContainText('Waiting for your reply');
	await received.getByRole('link', { name: SUBJECT }).click();
	await expect(message(practitioner, OMAR)).toContainText(BODY);
	await expect(practitioner.getByText('<b>Paid</b>', { exact: false })).toBeVisible();
	expect(await seriousViolations(practitioner)).toEqual([]);
	await practitioner.getByLabel('Your reply').fill(REPLY);
	await practitioner.getByRole('button', { name: 'Send reply' }).click();
	await expect(practitioner.getByRole('status')).toHaveText('Reply sent.');
	await expect(message(practitioner, 'You')).toContainText(REPLY);
	await expect(practitioner.getByLabel('Your reply')).toHaveValue('');
	await expectMail(omar.email, `Reply from @${nia.handle}: ${SUBJECT}`, REPLY);

	await employer.goto('/dashboard/messages');
	const sent = section(employer, 'Sent');
	await expect(sent.getByRole('heading')).toHaveText('Sent (1)');
	await expect(section(employer, 'Received').getByRole('heading')).toHaveText('Received (0)');
	await expect(sent.getByRole('listitem')).toContainText(`To ${NIA} (@${nia.handle}) · 2 messages`);
	await expect(sent.getByRole('listitem')).toContainText('Waiting for your reply');
	await sent.getByRole('link', { name: SUBJECT }).click();
	await expect(message(employer, NIA)).toContainText(REPLY);

	// A second message, which Nia turns down.
	await contact(employer, nia.handle, OTHER_SUBJECT, 'Could you also look at our Reddit page?');
	await expect(employer.getByRole('status')).toHaveText(/^Message sent\./);
	declinedUrl = new URL(employer.url()).pathname;
	await practitioner.goto('/dashboard/messages');
	await section(practitioner, 'Received').getByRole('link', { name: OTHER_SUBJECT }).click();
	await practitioner.getByRole('button', { name: 'Decline conversation' }).click();
	await expect(practitioner.getByRole('status')).toHaveText(
		'Conversation declined. No more replies can be sent.'
	);
	await expect(practitioner.getByLabel('Your reply')).toHaveCount(0);
	await expect(practitioner.getByRole('button', { name: 'Decline conversation' })).toHaveCount(0);
	await expectMail(omar.email, `@${nia.handle} declined: ${OTHER_SUBJECT}`, OTHER_SUBJECT);

	await employer.goto(declinedUrl);
	await expect(employer.getByText(`${NIA} declined this conversation.`)).toBeVisible();
	await expect(employer.getByLabel('Your reply')).toHaveCount(0);
	await employer.goto('/dashboard/messages');
	await expect(
		section(employer, 'Sent').getByRole('listitem').filter({ hasText: OTHER_SUBJECT })
	).toContainText('Declined');

	// A new account may start three conversations a day.
	await contact(employer, nia.handle, 'Third', 'One more question about rates.');
	await expect(employer.getByRole('status')).toHaveText(/^Message sent\./);
	await employer.goto(`/@${nia.handle}/contact`);
	await employer.getByLabel('Subject').fill('Fourth');
	await employer.getByLabel('Message').fill('And another one.');
	const [limited] = await Promise.all([
		employer.waitForResponse((r) => r.request().method() === 'POST'),
		employer.getByRole('button', { name: 'Send message' }).click()
	]);
	expect(limited.status()).toBe(429);
	await expect(employer.getByRole('alert')).toHaveText(
		'New accounts can contact 3 people a day. Try again tomorrow.'
	);
	await expect(employer.getByLabel('Message')).toHaveValue('And another one.');
	await done(employer);

	// Nobody else sees the conversation.
	const stranger = await browser.newPage();
	await stranger.goto(declinedUrl);
	await expect(stranger).toHaveURL((url) => url.pathname === '/login');
	await stranger.close();
	await done(practitioner);
});

test('unverified senders, oneself and profiles closed to contact are refused with a message', async ({
	browser,
	baseURL
}) => {
	const page = await newMember(browser, una, { verify: false });
	await page.goto(`/@${nia.handle}/contact`);
	await expect(page.getByText('Verify your email address first')).toBeVisible();
	await expect(page.getByLabel('Subject')).toHaveCount(0);
	// A hand-made request fares no better.
	const response = await page.request.post(`/@${nia.handle}/contact?/send`, {
		form: { subject: 'Hello', body: 'Are you free?' },
		headers: { origin: baseURL!, accept: 'text/html' }
	});
	expect(response.status()).toBe(403);
	expect(await response.text()).toContain('Verify your email address before sending messages.');
	await page.goto('/dashboard/messages');
	await expect(section(page, 'Sent').getByRole('heading')).toHaveText('Sent (0)');

	const owner = await as(browser, nia.handle);
	await owner.goto(`/@${nia.handle}/contact`);
	await expect(owner.getByText('You cannot send a message to yourself.')).toBeVisible();
	await expect(owner.getByLabel('Subject')).toHaveCount(0);

	await owner.goto('/settings/profile');
	await owner.getByLabel('Allow people to contact me').uncheck();
	await owner.getByRole('button', { name: 'Save profile' }).click();
	await expect(owner.getByRole('status')).toHaveText('Profile saved.');
	await expect(owner.getByLabel('Allow people to contact me')).not.toBeChecked();

	const employer = await as(browser, omar.handle);
	const closed = await employer.goto(`/@${nia.handle}/contact`);
	expect(closed?.status()).toBe(403);
	await expect(employer.getByRole('heading', { level: 1 })).toHaveText(
		`${NIA} does not accept messages on Proofwork.`
	);
	await expect(employer.getByLabel('Subject')).toHaveCount(0);

	await owner.getByLabel('Allow people to contact me').check();
	await owner.getByRole('button', { name: 'Save profile' }).click();
	await expect(owner.getByRole('status')).toHaveText('Profile saved.');
	await employer.goto(`/@${nia.handle}/contact`);
	await expect(employer.getByLabel('Subject')).toBeVisible();
	await done(employer);
	await done(owner);
	await done(page);
});

test('a link from an account younger than 7 days is refused, the message kept', async ({
	browser
}) => {
	const page = await newMember(browser, fresh);
	const linked = 'Our shop needs help: see https://harbour-tales.example.com/jobs for details.';
	await page.goto(`/@${nia.handle}/contact`);
	await expect(page.getByLabel('Message')).toHaveAccessibleDescription(
		/Accounts younger than 7 days cannot include links\./
	);
	await page.getByLabel('Subject').fill('A job');
	await page.getByLabel('Message').fill(linked);
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Send message' }).click()
	]);
	expect(response.status()).toBe(400);
	await expect(page.getByLabel('Message')).toHaveAccessibleDescription(
		/Accounts younger than 7 days cannot put links in messages\. Remove the link\./
	);
	await expect(page.getByLabel('Message')).toHaveValue(linked);
	await expect(page.getByLabel('Subject')).toHaveValue('A job');
	await page.goto('/dashboard/messages');
	await expect(section(page, 'Sent').getByRole('heading')).toHaveText('Sent (0)');
	// Someone else's conversation does not exist as far as this account can tell.
	const other = await page.goto(declinedUrl);
	expect(other?.status()).toBe(404);
	await expect(page.getByText(OTHER_SUBJECT)).toHaveCount(0);
	await done(page);
});

test('without JavaScript: contact, reply, read the reply, decline', async ({ browser }) => {
	const sender = await newMember(browser, tess, { name: TESS, javaScriptEnabled: false });
	await sender.goto(`/@${nia.handle}/contact`);
	await sender.getByLabel('Message').fill('Could you moderate our forum on weekends?');
	await sender.getByRole('button', { name: 'Send message' }).click();
	await expect(sender.getByLabel('Subject')).toHaveAccessibleDescription(
		'Give your message a subject.'
	);
	await expect(sender.getByLabel('Message')).toHaveValue(
		'Could you moderate our forum on weekends?'
	);
	await sender.getByLabel('Subject').fill('Moderation help');
	await sender.getByRole('button', { name: 'Send message' }).click();
	await expect(sender.getByRole('status')).toHaveText(/^Message sent\./);
	await expect(message(sender, 'You')).toContainText('Could you moderate our forum on weekends?');
	const conversation = new URL(sender.url()).pathname;

	const owner = await as(browser, nia.handle, false);
	await owner.goto('/dashboard/messages');
	await section(owner, 'Received').getByRole('link', { name: 'Moderation help' }).click();
	await expect(message(owner, TESS)).toContainText('Could you moderate our forum on weekends?');
	await owner.getByRole('button', { name: 'Send reply' }).click();
	await expect(owner.getByLabel('Your reply')).toHaveAccessibleDescription(/Write your reply\./);
	await owner.getByLabel('Your reply').fill('Yes, Saturdays and Sundays.');
	await owner.getByRole('button', { name: 'Send reply' }).click();
	await expect(owner.getByRole('status')).toHaveText('Reply sent.');
	await expect(message(owner, 'You')).toContainText('Yes, Saturdays and Sundays.');

	await sender.goto(conversation);
	await expect(message(sender, NIA)).toContainText('Yes, Saturdays and Sundays.');

	await owner.getByRole('button', { name: 'Decline conversation' }).click();
	await expect(owner.getByRole('status')).toHaveText(
		'Conversation declined. No more replies can be sent.'
	);
	await sender.reload();
	await expect(sender.getByText(`${NIA} declined this conversation.`)).toBeVisible();
	await expect(sender.getByLabel('Your reply')).toHaveCount(0);
	await done(owner);
	await done(sender);
});
