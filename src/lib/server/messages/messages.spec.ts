import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type TestDatabase } from '#lib/server/db/testing.js';
import type { User } from '#lib/server/db/schema.js';
import * as accounts from '#lib/server/accounts/index.js';
import { CONTROL_CHARACTER_MESSAGE, parseForm } from '#lib/server/platform/forms.js';
import * as messages from '#lib/server/messages/index.js';
import type { Author } from '#lib/server/messages/index.js';
import * as profiles from '#lib/server/profiles.js';
import * as skills from '#lib/server/skills.js';

const DAY_MS = 24 * 60 * 60 * 1000;
// The controllable clock: every message, reply and decline is stamped from here.
const T0 = new Date('2027-05-03T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const SUBJECT = 'Community lead for our spring launch';
const BODY = 'Hello Nia, we are launching a new game in April and need someone to run the Discord.';
const REPLY = 'Thanks for writing. I am free from March; what size is the community today?';

const established = (user: User): Author => ({
	id: user.id,
	createdAt: new Date(T0.getTime() - 30 * DAY_MS),
	emailVerified: true
});
const newcomer = (user: User, createdAt = T0): Author => ({
	id: user.id,
	createdAt,
	emailVerified: true
});
const contact = (subject = SUBJECT, body = BODY) =>
	v.parse(messages.contactSchema, { subject, body });

function form(fields: Record<string, string>): FormData {
	const data = new FormData();
	for (const [key, value] of Object.entries(fields)) data.set(key, value);
	return data;
}

const PROFILE = {
	displayName: 'Nia Adeyemi',
	headline: 'Community lead',
	bio: '',
	location: '',
	availability: 'open_to_work',
	visibility: 'public'
};

let ipCounter = 0;

describe.each(testEngines())('contact messages on $name', (engine) => {
	let t: TestDatabase;

	async function signUp(handle: string) {
		const result = await accounts.signUp(t.db, {
			email: `${handle}@example.com`,
			handle,
			password: 'a long passphrase',
			ip: `10.5.0.${++ipCounter}`,
			origin: 'http://x.test'
		});
		if (!result.ok) throw new Error(JSON.stringify(result.errors));
		return result.value.user;
	}

	async function setProfile(user: User, fields: Record<string, string>) {
		const parsed = parseForm(profiles.profileSchema, form({ ...PROFILE, ...fields }));
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
		await profiles.updateProfile(t.db, user.id, parsed.data);
	}

	const mailsTo = (handle: string) =>
		t.db
			.selectFrom('outbox')
			.select(['subject', 'text_body'])
			.where('to_address', '=', `${handle}@example.com`)
			.where('subject', 'not like', '%erify%')
			.orderBy('id')
			.execute();

	const send = (sender: Author, recipient: User, now: Date, input = contact()) =>
		messages.startConversation(t.db, {
			sender,
			recipientId: recipient.id,
			input,
			origin: 'http://x.test',
			now
		});

	beforeAll(async () => {
		t = await engine.create();
	});
	afterAll(() => t.drop());

	it('delivers a contact message to the practitioner’s messages and mailbox, and replies both ways', async () => {
		const nia = await signUp('nia');
		await setProfile(nia, { allowContact: 'on' });
		const emp = await signUp('emp');
		await setProfile(emp, { displayName: 'Omar Haddad', allowContact: 'on' });

		const sent = await send(established(emp), nia, T0);
		expect(sent.ok).toBe(true);
		if (!sent.ok) return;

		const inbox = await messages.listConversations(t.db, nia.id);
		expect(inbox).toEqual([
			{
				id: sent.id,
				subject: SUBJECT,
				status: 'open',
				role: 'recipient',
				other: { handle: 'emp', name: 'Omar Haddad' },
				messages: 1,
				awaitingReply: true,
				updatedAt: T0
			}
		]);
		const outgoing = await messages.listConversations(t.db, emp.id);
		expect(outgoing).toMatchObject([
			{ id: sent.id, role: 'sender', other: { handle: 'nia', name: 'Nia Adeyemi' } }
		]);
		expect(outgoing[0].awaitingReply).toBe(false);

		const [mail] = await mailsTo('nia');
		expect(mail.subject).toBe(`Message from @emp: ${SUBJECT}`);
		expect(mail.text_body).toContain(BODY);
		expect(mail.text_body).toContain(`http://x.test/dashboard/messages/${sent.id}`);
		// The practitioner answers through Proofwork: the sender's address is never handed over.
		expect(mail.text_body).not.toContain('emp@example.com');

		const replied = await messages.replyToConversation(t.db, {
			author: established(nia),
			conversationId: sent.id,
			body: REPLY,
			origin: 'http://x.test',
			now: at(60_000)
		});
		expect(replied).toEqual({ ok: true });
		const [reply] = await mailsTo('emp');
		expect(reply.subject).toBe(`Reply from @nia: ${SUBJECT}`);
		expect(reply.text_body).toContain(REPLY);
		expect(reply.text_body).not.toContain('nia@example.com');

		const [mine] = await messages.listConversations(t.db, emp.id);
		expect(mine).toMatchObject({ messages: 2, awaitingReply: true, updatedAt: at(60_000) });
		const view = await messages.getConversation(t.db, emp.id, sent.id);
		expect(view?.messages.map((m) => [m.authorName, m.mine, m.body])).toEqual([
			['You', true, BODY],
			['Nia Adeyemi', false, REPLY]
		]);

		// The one who wrote first can answer the reply.
		expect(
			await messages.replyToConversation(t.db, {
				author: established(emp),
				conversationId: sent.id,
				body: 'About 12,000 members.',
				now: at(120_000)
			})
		).toEqual({ ok: true });
		expect((await mailsTo('nia')).map((m) => m.subject)).toEqual([
			`Message from @emp: ${SUBJECT}`,
			`Reply from @emp: ${SUBJECT}`
		]);
	});

	it('shows a conversation to its two participants only, and lets only the person contacted decline it', async () => {
		const pat = await signUp('pat');
		const ask = await signUp('ask');
		const nosy = await signUp('nosy');
		const sent = await send(established(ask), pat, T0);
		if (!sent.ok) throw new Error('not sent');

		expect(await messages.getConversation(t.db, nosy.id, sent.id)).toBeUndefined();
		expect(await messages.listConversations(t.db, nosy.id)).toEqual([]);
		expect(
			await messages.replyToConversation(t.db, {
				author: established(nosy),
				conversationId: sent.id,
				body: 'Me too!',
				now: at(1000)
			})
		).toMatchObject({ ok: false, status: 404 });
		expect(await messages.declineConversation(t.db, nosy.id, sent.id)).toMatchObject({
			ok: false,
			status: 404
		});
		expect(await messages.declineConversation(t.db, ask.id, sent.id)).toEqual({
			ok: false,
			status: 403,
			errors: { form: 'Only the person you contacted can decline the conversation.' }
		});
		expect((await messages.getConversation(t.db, pat.id, sent.id))?.status).toBe('open');

		expect(await messages.declineConversation(t.db, pat.id, sent.id, { now: at(2000) })).toEqual({
			ok: true
		});
		expect(await messages.getConversation(t.db, ask.id, sent.id)).toMatchObject({
			status: 'declined',
			role: 'sender'
		});
		expect((await mailsTo('ask')).map((m) => m.subject)).toEqual([`@pat declined: ${SUBJECT}`]);
		// Declining again mails nobody.
		expect(await messages.declineConversation(t.db, pat.id, sent.id)).toEqual({ ok: true });
		expect(await mailsTo('ask')).toHaveLength(1);

		for (const author of [ask, pat]) {
			expect(
				await messages.replyToConversation(t.db, {
					author: established(author),
					conversationId: sent.id,
					body: 'One more thing.',
					now: at(3000)
				})
			).toEqual({
				ok: false,
				status: 409,
				errors: { form: 'This conversation was declined. No more replies can be sent.' }
			});
		}
		expect((await messages.getConversation(t.db, pat.id, sent.id))?.messages).toHaveLength(1);
		expect((await messages.listConversations(t.db, pat.id))[0].awaitingReply).toBe(false);
	});

	it('refuses unverified senders, oneself, private profiles and people who turned contact off', async () => {
		const ida = await signUp('ida');
		const hid = await signUp('hid');
		const off = await signUp('off');
		await setProfile(hid, { visibility: 'private', allowContact: 'on' });
		await setProfile(off, {});

		expect(await send({ ...established(ida), emailVerified: false }, off, T0)).toEqual({
			ok: false,
			status: 403,
			errors: { form: 'Verify your email address before sending messages.' }
		});
		expect(await send(established(ida), ida, T0)).toEqual({
			ok: false,
			status: 400,
			errors: { form: 'You cannot send a message to yourself.' }
		});
		expect(await send(established(ida), hid, T0)).toEqual({
			ok: false,
			status: 404,
			errors: { form: 'This profile cannot be contacted.' }
		});
		expect(await send(established(ida), off, T0)).toEqual({
			ok: false,
			status: 403,
			errors: { form: 'This person does not accept messages.' }
		});
		expect(await messages.listConversations(t.db, ida.id)).toEqual([]);
		expect(await mailsTo('off')).toEqual([]);

		expect(await messages.findContactTarget(t.db, 'hid', ida.id)).toEqual({ kind: 'missing' });
		expect(await messages.findContactTarget(t.db, 'hid', hid.id)).toMatchObject({
			kind: 'found',
			isSelf: true
		});
		expect(await messages.findContactTarget(t.db, 'off', ida.id)).toMatchObject({
			kind: 'found',
			isSelf: false,
			target: { handle: 'off', name: 'Nia Adeyemi', allowContact: false }
		});
		expect(await messages.findContactTarget(t.db, 'OFF', ida.id)).toEqual({
			kind: 'moved',
			handle: 'off'
		});
		expect(await messages.findContactTarget(t.db, 'nobody', ida.id)).toEqual({ kind: 'missing' });

		// Ticking the box again opens the profile to messages.
		await setProfile(off, { allowContact: 'on' });
		expect(await send(established(ida), off, T0)).toMatchObject({ ok: true });
	});

	it('refuses links from accounts younger than 7 days, the person’s own skill names aside', async () => {
		const sky = await signUp('sky');
		await skills.setSkills(t.db, sky.id, ['ASP.NET']);
		const fresh = await signUp('fresh');
		const linked = contact('See shop.example.io', 'Our store is at https://tidewater.example.com');
		expect(await send(newcomer(fresh), sky, T0, linked)).toEqual({
			ok: false,
			status: 400,
			errors: {
				subject: 'Accounts younger than 7 days cannot put links in messages. Remove the link.',
				body: 'Accounts younger than 7 days cannot put links in messages. Remove the link.'
			}
		});
		expect(await messages.listConversations(t.db, fresh.id)).toEqual([]);

		const skill = contact('ASP.NET work', 'We need help with an ASP.NET shop.');
		const ok = await send(newcomer(fresh), sky, T0, skill);
		expect(ok.ok).toBe(true);
		if (!ok.ok) return;
		// Replies follow the same rule, for either side.
		expect(
			await messages.replyToConversation(t.db, {
				author: newcomer(fresh),
				conversationId: ok.id,
				body: 'Details: www.tidewater.example.com',
				now: at(1000)
			})
		).toMatchObject({ ok: false, status: 400, errors: { body: expect.stringMatching(/links/) } });

		// A week later the same account may send links.
		const later = at(7 * DAY_MS);
		expect(await send(newcomer(fresh), sky, later, linked)).toMatchObject({ ok: true });
		expect(await send(established(sky), fresh, T0, linked)).toMatchObject({ ok: true });
	});

	it('limits new accounts to 3 conversations a day and others to 20, counted from the database', async () => {
		const target = await signUp('target');
		const rookie = await signUp('rookie');
		for (let i = 0; i < 3; i++)
			expect(await send(newcomer(rookie), target, at(i * 1000))).toMatchObject({ ok: true });
		const limited = await send(newcomer(rookie), target, at(5000));
		expect(limited).toEqual({
			ok: false,
			status: 429,
			errors: { form: 'New accounts can contact 3 people a day. Try again tomorrow.' }
		});
		expect(await messages.countStartedSince(t.db, rookie.id, at(5000))).toBe(3);
		// 24 hours after the first one, one slot is free again.
		expect(await send(newcomer(rookie), target, at(DAY_MS + 500))).toMatchObject({ ok: true });
		expect(await send(newcomer(rookie), target, at(DAY_MS + 600))).toMatchObject({
			ok: false,
			status: 429
		});

		const veteran = await signUp('veteran');
		for (let i = 0; i < 20; i++)
			expect(await send(established(veteran), target, at(i * 1000))).toMatchObject({ ok: true });
		expect(await send(established(veteran), target, at(30_000))).toEqual({
			ok: false,
			status: 429,
			errors: { form: 'You can contact 20 people a day. Try again tomorrow.' }
		});
		expect(await send(established(veteran), target, at(DAY_MS + 1))).toMatchObject({ ok: true });
	});

	it('limits replies in one conversation to 20 a day per person', async () => {
		const rue = await signUp('rue');
		const flo = await signUp('flo');
		const sent = await send(established(flo), rue, T0);
		if (!sent.ok) throw new Error('not sent');
		const reply = (i: number) =>
			messages.replyToConversation(t.db, {
				author: established(flo),
				conversationId: sent.id,
				body: `Follow-up ${i}`,
				now: at((i + 1) * 1000)
			});
		// The first message counts: 19 more fit.
		for (let i = 0; i < 19; i++) expect(await reply(i)).toEqual({ ok: true });
		expect(await reply(19)).toMatchObject({ ok: false, status: 429 });
		// The other person is not limited by them.
		expect(
			await messages.replyToConversation(t.db, {
				author: established(rue),
				conversationId: sent.id,
				body: 'Please stop.',
				now: at(30_000)
			})
		).toEqual({ ok: true });
	});

	it('validates subject and body, keeping each to its limit and to plain text', () => {
		const empty = parseForm(messages.contactSchema, form({ subject: '  ', body: '\n' }));
		expect(!empty.ok && empty.errors).toEqual({
			subject: 'Give your message a subject.',
			body: 'Write your message.'
		});
		const long = parseForm(
			messages.contactSchema,
			form({ subject: 's'.repeat(121), body: 'b'.repeat(2001) })
		);
		expect(!long.ok && long.errors).toEqual({
			subject: 'Use at most 120 characters.',
			body: 'Use at most 2,000 characters.'
		});
		expect(long.values).toEqual({ subject: 's'.repeat(121), body: 'b'.repeat(2001) });
		const max = parseForm(
			messages.contactSchema,
			form({ subject: 's'.repeat(120), body: 'b'.repeat(2000) })
		);
		expect(max.ok).toBe(true);
		// A forged subject cannot add mail headers: line breaks become spaces.
		const forged = parseForm(
			messages.contactSchema,
			form({ subject: 'Hi\r\nBcc: all@example.com', body: 'Line one\r\nLine two', id: '1' })
		);
		expect(forged.ok && forged.data).toEqual({
			subject: 'Hi Bcc: all@example.com',
			body: 'Line one\nLine two'
		});
		// A NUL byte is refused next to its field (the shared form parser), the text kept without it.
		const nul = parseForm(messages.contactSchema, form({ subject: 'Hi', body: 'Line\u0000 two' }));
		expect(!nul.ok && nul.errors).toEqual({ body: CONTROL_CHARACTER_MESSAGE });
		expect(nul.values).toEqual({ subject: 'Hi', body: 'Line two' });
		const reply = parseForm(messages.replySchema, form({ body: ' ' }));
		expect(!reply.ok && reply.errors).toEqual({ body: 'Write your reply.' });
	});

	it('keeps the contact setting in the profile: a ticked box allows, an empty one refuses', async () => {
		const box = await signUp('box');
		expect((await profiles.getOwnProfile(t.db, box.id))?.allowContact).toBe(true);
		await setProfile(box, {});
		expect((await profiles.getOwnProfile(t.db, box.id))?.allowContact).toBe(false);
		// Callers that do not mention the setting leave it alone.
		await profiles.updateProfile(t.db, box.id, {
			displayName: 'Box',
			headline: null,
			bio: '',
			location: null,
			availability: 'not_looking',
			visibility: 'public'
		});
		expect((await profiles.getOwnProfile(t.db, box.id))?.allowContact).toBe(false);
		await setProfile(box, { allowContact: 'on' });
		expect((await profiles.getOwnProfile(t.db, box.id))?.allowContact).toBe(true);
	});
});
