import type { Executor } from '#lib/server/db/connect.js';
import { withTransaction } from '#lib/server/db/connect.js';
import type { NetworkAccount } from '#lib/server/db/schema.js';
import { NETWORK_LABELS, normalizeAccount, type Network } from '#lib/server/networks.js';
import { getDomain } from 'tldts';
import { touchProfile } from '#lib/server/profiles.js';
import { refreshSearchDocuments } from '#lib/server/search/projection.js';

export const MAX_ACCOUNTS = 20;
export const MAX_FOLLOWERS = 2_000_000_000;

export interface AccountView extends NetworkAccount {
	label: string;
}

function label(account: NetworkAccount): AccountView {
	return { ...account, label: NETWORK_LABELS[account.network as Network] ?? 'Other' };
}

/** A personal website's registrable domain by the Public Suffix List ("blog.example.co.uk" → "example.co.uk"). */
export function siteDomainOf(network: string, url: string): string | null {
	if (network !== 'website') return null;
	return getDomain(url, { allowPrivateDomains: true })?.toLowerCase() ?? null;
}

/** Everyone else whose website is on this domain: their proof changes when it is shared or freed. */
async function refreshDomainSharers(db: Executor, userId: number, domain: string | null) {
	if (!domain) return;
	const others = await db
		.selectFrom('network_accounts')
		.select('user_id')
		.distinct()
		.where('site_domain', '=', domain)
		.where('user_id', '!=', userId)
		.execute();
	await refreshSearchDocuments(
		db,
		others.map((o) => o.user_id)
	);
}

export async function listAccounts(db: Executor, userId: number): Promise<AccountView[]> {
	const rows = await db
		.selectFrom('network_accounts')
		.selectAll()
		.where('user_id', '=', userId)
		.orderBy('position')
		.orderBy('id')
		.execute();
	return rows.map(label);
}

/** Reads a follower count as typed ("12,400", "12 400"); null when empty. */
export function parseFollowers(
	input: string
): { ok: true; value: number | null } | { ok: false; error: string } {
	const compact = input.trim().replace(/[\s,._’']/g, '');
	if (compact === '') return { ok: true, value: null };
	if (!/^\d+$/.test(compact))
		return { ok: false, error: 'Enter the number of followers as digits, e.g. 12400.' };
	const value = Number(compact);
	if (value > MAX_FOLLOWERS)
		return { ok: false, error: 'That number is larger than any network has.' };
	return { ok: true, value };
}

export type AddAccountResult = { ok: true } | { ok: false; errors: Record<string, string> };

export async function addAccount(
	db: Executor,
	userId: number,
	input: { network: string; address: string; followers: string },
	now = new Date()
): Promise<AddAccountResult> {
	const normalized = normalizeAccount(input.network, input.address);
	if (!normalized.ok) {
		return {
			ok: false,
			errors: { [input.network in NETWORK_LABELS ? 'address' : 'network']: normalized.error }
		};
	}
	const followers = parseFollowers(input.followers);
	if (!followers.ok) return { ok: false, errors: { followers: followers.error } };
	return withTransaction<AddAccountResult>(db, async (trx) => {
		const existing = await listAccounts(trx, userId);
		if (existing.length >= MAX_ACCOUNTS)
			return {
				ok: false,
				errors: { form: `You can list up to ${MAX_ACCOUNTS} accounts.` } as Record<string, string>
			};
		if (existing.some((a) => a.url === normalized.account.url))
			return {
				ok: false,
				errors: { address: 'This account is already on your profile.' } as Record<string, string>
			};
		await trx
			.insertInto('network_accounts')
			.values({
				user_id: userId,
				network: normalized.account.network,
				identifier: normalized.account.identifier,
				url: normalized.account.url,
				followers: followers.value,
				followers_reported_at: followers.value === null ? null : now,
				position: existing.length,
				created_at: now,
				site_domain: siteDomainOf(normalized.account.network, normalized.account.url)
			})
			.execute();
		await touchProfile(trx, userId, now);
		await refreshDomainSharers(
			trx,
			userId,
			siteDomainOf(normalized.account.network, normalized.account.url)
		);
		return { ok: true };
	});
}

export type UpdateFollowersResult = { ok: true } | { ok: false; error: string; status: 400 | 404 };

export async function updateFollowers(
	db: Executor,
	userId: number,
	id: number,
	input: string,
	now = new Date()
): Promise<UpdateFollowersResult> {
	const followers = parseFollowers(input);
	if (!followers.ok) return { ok: false, error: followers.error, status: 400 };
	return withTransaction<UpdateFollowersResult>(db, async (trx) => {
		const row = await trx
			.updateTable('network_accounts')
			.set({
				followers: followers.value,
				followers_reported_at: followers.value === null ? null : now
			})
			.where('user_id', '=', userId)
			.where('id', '=', id)
			.returning('id')
			.executeTakeFirst();
		if (!row)
			return {
				ok: false,
				error: 'No such account on your profile.',
				status: 404
			};
		await touchProfile(trx, userId, now);
		return { ok: true };
	});
}

export async function removeAccount(db: Executor, userId: number, id: number): Promise<boolean> {
	return withTransaction(db, async (trx) => {
		const row = await trx
			.deleteFrom('network_accounts')
			.where('user_id', '=', userId)
			.where('id', '=', id)
			.returning(['id', 'site_domain'])
			.executeTakeFirst();
		if (row) {
			await touchProfile(trx, userId);
			await refreshDomainSharers(trx, userId, row.site_domain);
		}
		return !!row;
	});
}
