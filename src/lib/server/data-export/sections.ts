import type { Executor } from '#lib/server/db/connect.js';
import { objectKey } from '#lib/server/work-media-keys.js';

// What "Download my data" puts in data.json: one entry per section, each naming the tables it
// reads, so the coverage spec can hold every table with a user key to account. A new table that
// names a member gets a section here (or a line in LEFT_OUT with the reason), nothing else.

/** A file of the zip's media/ folder: data.json names it by this relative path. */
export interface MediaFile {
	path: string;
	kind: 'avatar' | 'preview' | 'work-image';
	/** For a work image: the store key of its largest WebP size. */
	key?: string;
	/** The avatar's owner or the work item whose preview image it is. */
	id: number;
	size?: 'large' | 'small';
}

export interface SectionContext {
	userId: number;
	/** Media files the section refers to; the zip streams them after data.json. */
	media: MediaFile[];
}

export interface Section {
	/** The key of data.json that holds the section. */
	key: string;
	/** Tables read, as `table` or `table.column` for one user key of a table with several. */
	covers: string[];
	read: (db: Executor, ctx: SectionContext) => Promise<unknown>;
}

/** The admin who acted is never named in a member's export. */
export const MODERATOR = 'moderator';

export const SECTIONS: Section[] = [
	{
		key: 'work_media',
		covers: ['work_media', 'work_embeds'],
		read: async (db, { userId, media }) => {
			const images = await db
				.selectFrom('work_media')
				.select([
					'id',
					'work_item_id',
					'role',
					'position',
					'alt',
					'width',
					'height',
					'widths',
					'version',
					'created_at'
				])
				.where('user_id', '=', userId)
				.orderBy('work_item_id')
				.orderBy('position')
				.execute();
			const embeds = await db
				.selectFrom('work_embeds')
				.select([
					'work_item_id',
					'position',
					'url',
					'provider',
					'status',
					'title',
					'author',
					'gone_since',
					'created_at'
				])
				.where('user_id', '=', userId)
				.orderBy('work_item_id')
				.orderBy('position')
				.execute();
			return {
				images: images.map(({ widths, version, ...image }) => {
					// The largest size kept, as WebP (the upload itself is not kept: it held EXIF).
					const width = Math.max(...widths);
					const path = `media/work/${image.id}.webp`;
					media.push({
						path,
						kind: 'work-image',
						id: image.id,
						key: objectKey({ id: image.id, version }, width, 'webp')
					});
					return { ...image, file: path };
				}),
				embeds
			};
		}
	},
	{
		key: 'account',
		covers: ['users'],
		read: (db, { userId }) =>
			db
				.selectFrom('users')
				.select([
					'id',
					'email',
					'email_verified_at',
					'handle',
					'role',
					'status',
					'limited_at',
					'join_reason',
					'created_at',
					'updated_at'
				])
				.where('id', '=', userId)
				.executeTakeFirstOrThrow()
	},
	{
		key: 'settings',
		covers: ['profiles'],
		read: async (db, { userId }) =>
			(await db
				.selectFrom('profiles')
				.select(['visibility', 'availability', 'allow_contact'])
				.where('user_id', '=', userId)
				.executeTakeFirst()) ?? null
	},
	{
		key: 'profile',
		covers: ['profiles', 'avatars', 'profile_skills'],
		read: async (db, { userId, media }) => {
			const profile = await db
				.selectFrom('profiles')
				.select(['display_name', 'headline', 'bio_md', 'location', 'created_at', 'updated_at'])
				.where('user_id', '=', userId)
				.executeTakeFirst();
			const avatar = await db
				.selectFrom('avatars')
				.select(['updated_at'])
				.where('user_id', '=', userId)
				.executeTakeFirst();
			const skills = await db
				.selectFrom('profile_skills')
				.innerJoin('skills', 'skills.id', 'profile_skills.skill_id')
				.select('skills.name')
				.where('profile_skills.user_id', '=', userId)
				.orderBy('profile_skills.position')
				.execute();
			let avatarFiles = null;
			if (avatar) {
				avatarFiles = {
					large: 'media/avatar-large.webp',
					small: 'media/avatar-small.webp',
					updated_at: avatar.updated_at
				};
				media.push({ path: avatarFiles.large, kind: 'avatar', id: userId, size: 'large' });
				media.push({ path: avatarFiles.small, kind: 'avatar', id: userId, size: 'small' });
			}
			return profile
				? { ...profile, avatar: avatarFiles, skills: skills.map((s) => s.name) }
				: null;
		}
	},
	{
		key: 'previous_handles',
		covers: ['handle_history'],
		read: (db, { userId }) =>
			db
				.selectFrom('handle_history')
				.select(['handle', 'released_at'])
				.where('user_id', '=', userId)
				.orderBy('released_at')
				.execute()
	},
	{
		key: 'work',
		covers: ['work_items', 'work_item_skills', 'link_previews'],
		read: async (db, { userId, media }) => {
			const items = await db
				.selectFrom('work_items')
				.leftJoin('link_previews', 'link_previews.work_item_id', 'work_items.id')
				.select([
					'work_items.id',
					'work_items.title',
					'work_items.url',
					'work_items.role',
					'work_items.outcome',
					'work_items.happened_on',
					'work_items.slug',
					'work_items.case_study_md',
					'work_items.pinned',
					'work_items.position',
					'work_items.created_at',
					'work_items.updated_at',
					'link_previews.status as preview_status',
					'link_previews.title as preview_title',
					'link_previews.description as preview_description',
					'link_previews.site_name as preview_site_name',
					'link_previews.image_etag as preview_image_etag',
					'link_previews.last_ok_at as preview_last_ok_at'
				])
				.where('work_items.user_id', '=', userId)
				.orderBy('work_items.position')
				.orderBy('work_items.id')
				.execute();
			const skills = await db
				.selectFrom('work_item_skills')
				.innerJoin('work_items', 'work_items.id', 'work_item_skills.work_item_id')
				.innerJoin('skills', 'skills.id', 'work_item_skills.skill_id')
				.select(['work_item_skills.work_item_id', 'skills.name'])
				.where('work_items.user_id', '=', userId)
				.orderBy('skills.name')
				.execute();
			return items.map(({ preview_image_etag, ...item }) => {
				let image = null;
				if (preview_image_etag) {
					image = `media/previews/work-${item.id}.webp`;
					media.push({ path: image, kind: 'preview', id: item.id });
				}
				const {
					preview_status,
					preview_title,
					preview_description,
					preview_site_name,
					preview_last_ok_at,
					...work
				} = item;
				return {
					...work,
					skills: skills.filter((s) => s.work_item_id === item.id).map((s) => s.name),
					link_preview: preview_status
						? {
								status: preview_status,
								title: preview_title,
								description: preview_description,
								site_name: preview_site_name,
								last_ok_at: preview_last_ok_at,
								image
							}
						: null
				};
			});
		}
	},
	{
		key: 'network_accounts',
		covers: ['network_accounts', 'network_account_checks'],
		read: async (db, { userId }) => {
			const accounts = await db
				.selectFrom('network_accounts')
				.select([
					'id',
					'network',
					'identifier',
					'url',
					'followers',
					'followers_reported_at',
					'position',
					'created_at',
					'verification_status',
					'verified_at',
					'lapsed_at',
					'last_checked_at',
					'last_check_outcome',
					'reach_followers',
					'reach_checked_at',
					'reach_source'
				])
				.where('user_id', '=', userId)
				.orderBy('position')
				.orderBy('id')
				.execute();
			const checks = await db
				.selectFrom('network_account_checks')
				.innerJoin('network_accounts', 'network_accounts.id', 'network_account_checks.account_id')
				.select([
					'network_account_checks.account_id',
					'network_account_checks.checked_at',
					'network_account_checks.outcome',
					'network_account_checks.detail',
					'network_account_checks.profile_url',
					'network_account_checks.followers',
					'network_account_checks.source'
				])
				.where('network_accounts.user_id', '=', userId)
				.orderBy('network_account_checks.checked_at')
				.execute();
			return accounts.map((account) => ({
				...account,
				check_history: checks
					.filter((c) => c.account_id === account.id)
					.map(({ account_id: _, ...check }) => check)
			}));
		}
	},
	{
		key: 'endorsements_written',
		covers: ['endorsements.endorser_id', 'endorsement_skills'],
		read: (db, { userId }) => readEndorsements(db, 'endorser_id', userId)
	},
	{
		key: 'endorsements_received',
		covers: ['endorsements.subject_id', 'endorsements.work_item_id', 'endorsement_skills'],
		read: (db, { userId }) => readEndorsements(db, 'subject_id', userId)
	},
	{
		key: 'endorsement_requests',
		covers: ['endorsement_requests'],
		read: (db, { userId }) =>
			db
				.selectFrom('endorsement_requests')
				.innerJoin('work_items', 'work_items.id', 'endorsement_requests.work_item_id')
				.select([
					'endorsement_requests.id',
					'work_items.title as work_title',
					'endorsement_requests.invitee',
					'endorsement_requests.status',
					'endorsement_requests.endorsement_id',
					'endorsement_requests.created_at'
				])
				.where('endorsement_requests.owner_id', '=', userId)
				.orderBy('endorsement_requests.id')
				.execute()
	},
	{
		// Reports this member filed. Reports of other kinds join here when their table exists.
		key: 'reports_filed',
		covers: ['endorsement_reports', 'reports.reporter_id'],
		read: async (db, { userId }) => {
			const rows = await db
				.selectFrom('endorsement_reports')
				.select(['endorsement_id', 'reason', 'created_at'])
				.where('reporter_id', '=', userId)
				.orderBy('created_at')
				.execute();
			// Reports to the admins: what was reported and how it ended, not the snapshot of
			// another member's words.
			const reports = await db
				.selectFrom('reports')
				.select([
					'target_kind',
					'target_id',
					'category',
					'comment',
					'status',
					'resolved_at',
					'created_at'
				])
				.where('reporter_id', '=', userId)
				.orderBy('created_at')
				.execute();
			return [
				...rows.map((r) => ({
					target: 'endorsement',
					target_id: r.endorsement_id,
					comment: r.reason,
					created_at: r.created_at
				})),
				...reports.map((r) => ({
					target: r.target_kind,
					target_id: r.target_id,
					category: r.category,
					comment: r.comment,
					status: r.status,
					resolved_at: r.resolved_at,
					created_at: r.created_at
				}))
			];
		}
	},
	{
		key: 'messages',
		covers: ['conversations', 'conversation_messages'],
		read: async (db, { userId }) => {
			const conversations = await db
				.selectFrom('conversations as c')
				.innerJoin('users as sender', 'sender.id', 'c.sender_id')
				.innerJoin('users as recipient', 'recipient.id', 'c.recipient_id')
				.select([
					'c.id',
					'c.subject',
					'c.status',
					'c.created_at',
					'c.updated_at',
					'sender.handle as sender',
					'recipient.handle as recipient'
				])
				.where((eb) => eb.or([eb('c.sender_id', '=', userId), eb('c.recipient_id', '=', userId)]))
				.orderBy('c.id')
				.execute();
			if (conversations.length === 0) return [];
			const messages = await db
				.selectFrom('conversation_messages as m')
				.innerJoin('users as author', 'author.id', 'm.author_id')
				.select(['m.conversation_id', 'author.handle as author', 'm.body', 'm.created_at'])
				.where(
					'm.conversation_id',
					'in',
					conversations.map((c) => c.id)
				)
				.orderBy('m.created_at')
				.orderBy('m.id')
				.execute();
			return conversations.map((c) => ({
				...c,
				messages: messages
					.filter((m) => m.conversation_id === c.id)
					.map(({ conversation_id: _, ...m }) => m)
			}));
		}
	},
	{
		key: 'shortlists',
		covers: ['shortlists', 'shortlist_entries'],
		read: async (db, { userId }) => {
			const lists = await db
				.selectFrom('shortlists')
				.select(['id', 'name', 'created_at'])
				.where('owner_id', '=', userId)
				.orderBy('id')
				.execute();
			if (lists.length === 0) return [];
			const entries = await db
				.selectFrom('shortlist_entries')
				.innerJoin('users', 'users.id', 'shortlist_entries.profile_id')
				.select([
					'shortlist_entries.shortlist_id',
					'users.handle',
					'shortlist_entries.note',
					'shortlist_entries.created_at'
				])
				.where(
					'shortlist_entries.shortlist_id',
					'in',
					lists.map((l) => l.id)
				)
				.orderBy('shortlist_entries.created_at')
				.execute();
			return lists.map((list) => ({
				...list,
				entries: entries
					.filter((e) => e.shortlist_id === list.id)
					.map(({ shortlist_id: _, ...e }) => e)
			}));
		}
	},
	{
		// What moderators decided about the account, with their reasons; never who they were.
		key: 'moderation',
		covers: ['trusted_members.user_id'],
		read: async (db, { userId }) => {
			const trusted = await db
				.selectFrom('trusted_members')
				.select(['reason', 'created_at'])
				.where('user_id', '=', userId)
				.executeTakeFirst();
			// What admins did to the account (warn, limit, suspend, …), with their reasons; the audit
			// log keeps no key to the member, only the target, so it is read by that.
			const actions = await db
				.selectFrom('audit_log')
				.select(['action', 'reason', 'created_at'])
				.where('target_kind', '=', 'account')
				.where('target_id', '=', userId)
				.orderBy('id')
				.execute();
			return {
				trusted_member: trusted ? { ...trusted, marked_by: MODERATOR } : null,
				actions: actions.map((a) => ({ ...a, by: MODERATOR }))
			};
		}
	},
	{
		key: 'statistics',
		covers: ['profile_views', 'search_appearances'],
		read: async (db, { userId }) => ({
			profile_views: await db
				.selectFrom('profile_views')
				.select(['day', 'views'])
				.where('user_id', '=', userId)
				.orderBy('day')
				.execute(),
			search_appearances: await db
				.selectFrom('search_appearances')
				.select(['day', 'appearances'])
				.where('user_id', '=', userId)
				.orderBy('day')
				.execute()
		})
	},
	{
		key: 'sessions',
		covers: ['sessions', 'known_devices'],
		read: async (db, { userId }) => ({
			// When each signed-in browser started and until when; never the secret that proves it.
			active_sessions: await db
				.selectFrom('sessions')
				.select(['created_at', 'refreshed_at', 'expires_at'])
				.where('user_id', '=', userId)
				.orderBy('created_at')
				.execute(),
			known_devices: await db
				.selectFrom('known_devices')
				.select(['created_at', 'last_used_at'])
				.where('user_id', '=', userId)
				.orderBy('created_at')
				.execute()
		})
	},
	{
		// Mail about the account: what and when. Bodies are left out: they carry one-time links.
		key: 'mail',
		covers: ['outbox'],
		read: (db, { userId }) =>
			db
				.selectFrom('outbox')
				.select(['to_address', 'subject', 'created_at', 'sent_at'])
				.where('user_id', '=', userId)
				.orderBy('created_at')
				.execute()
	},
	{
		key: 'data_exports',
		covers: ['data_exports'],
		read: (db, { userId }) =>
			db
				.selectFrom('data_exports')
				.select(['requested_at', 'downloaded_at'])
				.where('user_id', '=', userId)
				.orderBy('requested_at')
				.execute()
	}
];

/**
 * Tables and user keys deliberately not exported, each with the reason. The coverage spec fails
 * for any table with a user key (or a child of one) that is neither here nor in SECTIONS.
 */
export const LEFT_OUT: Record<string, string> = {
	email_verification_tokens: 'one-time secrets that expire within days; nothing the member wrote',
	password_reset_tokens: 'one-time secrets that expire within hours; nothing the member wrote',
	og_images: 'a picture rendered from the profile, which is exported itself',
	profile_search: 'a search-index copy of the profile, which is exported itself',
	trust_scores:
		'a ranking computed from the exported endorsements; its cluster details would help gaming it',
	endorsement_submissions: 'throttling timestamps of the endorsements, which are exported',
	'trusted_members.marked_by':
		"who an admin marked trusted is that member's data (exported to them as by a moderator)",
	'shortlist_entries.profile_id': "other members' private shortlists that name this member",
	'reports.account_id':
		"reports others filed about the member are the reporters' data; what admins did about them is exported under moderation",
	'reports.resolved_by': 'the admin who closed a report (shown only as a moderator)',
	'invites.created_by':
		'invite links an admin made for others: running the instance, not the member’s data'
};

async function readEndorsements(db: Executor, side: 'endorser_id' | 'subject_id', userId: number) {
	const other = side === 'endorser_id' ? 'subject_id' : 'endorser_id';
	const rows = await db
		.selectFrom('endorsements as e')
		.innerJoin('users as other', 'other.id', `e.${other}`)
		.leftJoin('work_items as w', 'w.id', 'e.work_item_id')
		.select([
			'e.id',
			'other.handle as other_handle',
			'e.relationship',
			'e.organisation',
			'e.period',
			'w.title as work_title',
			'e.body',
			'e.status',
			'e.created_at',
			'e.updated_at',
			'e.decided_at'
		])
		.where(`e.${side}`, '=', userId)
		.orderBy('e.id')
		.execute();
	const skills =
		rows.length === 0
			? []
			: await db
					.selectFrom('endorsement_skills')
					.innerJoin('skills', 'skills.id', 'endorsement_skills.skill_id')
					.select(['endorsement_skills.endorsement_id', 'skills.name'])
					.where(
						'endorsement_skills.endorsement_id',
						'in',
						rows.map((r) => r.id)
					)
					.orderBy('skills.name')
					.execute();
	const party = side === 'endorser_id' ? 'endorsed' : 'endorser';
	return rows.map(({ other_handle, ...row }) => ({
		...row,
		[party]: other_handle,
		skills: skills.filter((s) => s.endorsement_id === row.id).map((s) => s.name)
	}));
}
