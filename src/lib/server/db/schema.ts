import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface UsersTable {
	id: Generated<number>;
	email: string;
	email_verified_at: Timestamp | null;
	handle: string;
	password_hash: string;
	/** Keyed hash of the sign-up /24 (IPv4) or /48 (IPv6); never the address itself. */
	signup_network: string | null;
	role: ColumnType<UserRole, UserRole | undefined, UserRole>;
	status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
	/** Set while an admin keeps the account out of search and the sitemap. */
	limited_at: Timestamp | null;
	join_reason: string | null;
	invite_id: number | null;
	created_at: CreatedAt;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type UserRole = 'member' | 'admin';
export type AccountStatus = 'active' | 'pending' | 'suspended';

export interface SessionsTable {
	id: string;
	user_id: number;
	secret_hash: Uint8Array;
	created_at: Timestamp;
	refreshed_at: Timestamp;
	expires_at: Timestamp;
}

export interface TokensTable {
	id: Generated<number>;
	user_id: number;
	email: string;
	token_hash: string;
	expires_at: Timestamp;
	created_at: CreatedAt;
}

export interface RateLimitBucketsTable {
	key: string;
	tokens: number;
	updated_at: Timestamp;
}

export interface OutboxTable {
	id: Generated<number>;
	to_address: string;
	subject: string;
	text_body: string;
	created_at: CreatedAt;
	sent_at: Timestamp | null;
	/** The account the mail is about; deleted with it. */
	user_id: number | null;
}

export interface KnownDevicesTable {
	user_id: number;
	token_hash: string;
	created_at: Timestamp;
	last_used_at: Timestamp;
}

export type Availability = 'open_to_work' | 'open_to_freelance' | 'not_looking';
export type Visibility = 'public' | 'unlisted' | 'private';

export interface ProfilesTable {
	user_id: number;
	display_name: string | null;
	headline: string | null;
	bio_md: ColumnType<string, string | undefined, string>;
	location: string | null;
	availability: ColumnType<Availability, Availability | undefined, Availability>;
	visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
	allow_contact: ColumnType<boolean, boolean | undefined, boolean>;
	created_at: CreatedAt;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AvatarsTable {
	user_id: number;
	large: Uint8Array;
	small: Uint8Array;
	etag: string;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SkillsTable {
	id: Generated<number>;
	name: string;
	created_at: CreatedAt;
}

export interface ProfileSkillsTable {
	user_id: number;
	skill_id: number;
	position: number;
}

export interface WorkItemsTable {
	id: Generated<number>;
	user_id: number;
	title: string;
	url: string | null;
	role: ColumnType<string, string | undefined, string>;
	outcome: ColumnType<string, string | undefined, string>;
	happened_on: string | null;
	slug: string;
	case_study_md: ColumnType<string, string | undefined, string>;
	pinned: ColumnType<boolean, boolean | undefined, boolean>;
	position: ColumnType<number, number | undefined, number>;
	created_at: CreatedAt;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type WorkMediaRole = 'cover' | 'gallery';

export interface WorkMediaTable {
	id: Generated<number>;
	work_item_id: number;
	user_id: number;
	role: WorkMediaRole;
	position: ColumnType<number, number | undefined, number>;
	/** Empty until described; an image without alt text is shown to its owner only. */
	alt: ColumnType<string, string | undefined, string>;
	width: number;
	height: number;
	/** Widths of the stored sizes, ascending; each is stored as WebP and AVIF. */
	widths: number[];
	version: string;
	created_at: CreatedAt;
}

export type EmbedStatus = 'pending' | 'ok' | 'gone' | 'failed';

export interface WorkEmbedsTable {
	id: Generated<number>;
	work_item_id: number;
	user_id: number;
	position: ColumnType<number, number | undefined, number>;
	url: string;
	provider: string;
	external_id: string;
	status: ColumnType<EmbedStatus, EmbedStatus | undefined, EmbedStatus>;
	title: string | null;
	author: string | null;
	thumbnail_version: string | null;
	thumbnail_width: number | null;
	thumbnail_height: number | null;
	gone_since: Timestamp | null;
	fetched_at: Timestamp | null;
	next_fetch_at: ColumnType<Date, Date | string | undefined, Date | string>;
	created_at: CreatedAt;
}

/** The media store's database backend (platform/media-store.ts). */
export interface MediaObjectsTable {
	key: string;
	content_type: string;
	bytes: Uint8Array;
	created_at: CreatedAt;
}

/** Key prefixes to delete from an S3 bucket once the transaction that wrote them commits. */
export interface MediaDeletionsTable {
	id: Generated<number>;
	prefix: string;
	requested_at: CreatedAt;
}

export interface WorkItemSkillsTable {
	work_item_id: number;
	skill_id: number;
}

export interface NetworkAccountsTable {
	id: Generated<number>;
	user_id: number;
	network: string;
	identifier: string;
	url: string;
	followers: number | null;
	followers_reported_at: Timestamp | null;
	position: ColumnType<number, number | undefined, number>;
	created_at: CreatedAt;
	verification_status: ColumnType<
		VerificationStatus,
		VerificationStatus | undefined,
		VerificationStatus
	>;
	verified_at: Timestamp | null;
	lapsed_at: Timestamp | null;
	last_checked_at: Timestamp | null;
	last_check_outcome: CheckOutcome | null;
	last_check_detail: string | null;
	next_check_at: Timestamp | null;
	reach_followers: number | null;
	reach_checked_at: Timestamp | null;
	reach_source: string | null;
	/** When the network says the account was created, as its last successful check read it. */
	network_created_at: Timestamp | null;
	/** A website's registrable domain (Public Suffix List). */
	site_domain: string | null;
}

export type VerificationStatus = 'unverified' | 'verified' | 'lapsed';
export type CheckOutcome = 'verified' | 'missing' | 'not_found' | 'unreachable';

export interface NetworkAccountChecksTable {
	id: Generated<number>;
	account_id: number;
	checked_at: Timestamp;
	outcome: CheckOutcome;
	detail: ColumnType<string, string | undefined, string>;
	profile_url: string;
	followers: number | null;
	source: string | null;
}

export type LinkPreviewStatus = 'pending' | 'ok' | 'failed';

export interface LinkPreviewsTable {
	work_item_id: number;
	url: string;
	status: ColumnType<LinkPreviewStatus, LinkPreviewStatus | undefined, LinkPreviewStatus>;
	title: string | null;
	description: string | null;
	site_name: string | null;
	image: Uint8Array | null;
	image_etag: string | null;
	image_width: number | null;
	image_height: number | null;
	fetched_at: Timestamp | null;
	last_ok_at: Timestamp | null;
	failing_since: Timestamp | null;
	last_error: string | null;
	next_fetch_at: Timestamp | null;
}

export interface HandleHistoryTable {
	handle: string;
	/** Null once the account that gave the handle up was deleted: held, but redirects nowhere. */
	user_id: number | null;
	released_at: Timestamp;
}

export interface ProfileViewsTable {
	user_id: number;
	day: string;
	views: number;
}

export interface OgImagesTable {
	user_id: number;
	version: string;
	png: Uint8Array;
}

export type EndorsementStatus = 'pending' | 'accepted' | 'hidden';

export interface EndorsementsTable {
	id: Generated<number>;
	endorser_id: number;
	subject_id: number;
	relationship: string;
	organisation: string | null;
	period: string | null;
	work_item_id: number | null;
	body: string;
	status: ColumnType<EndorsementStatus, EndorsementStatus | undefined, EndorsementStatus>;
	flags: ColumnType<string[], string[] | undefined, string[]>;
	created_at: CreatedAt;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
	decided_at: Timestamp | null;
}

export interface EndorsementSkillsTable {
	endorsement_id: number;
	skill_id: number;
}

export interface EndorsementReportsTable {
	endorsement_id: number;
	reporter_id: number;
	reason: string;
	created_at: CreatedAt;
}

export interface EndorsementSubmissionsTable {
	id: Generated<number>;
	endorser_id: number;
	created_at: Timestamp;
}

export interface EndorsementRequestsTable {
	id: Generated<number>;
	owner_id: number;
	work_item_id: number;
	invitee: string | null;
	token: string;
	status: ColumnType<
		'open' | 'answered' | 'revoked',
		'open' | 'answered' | 'revoked' | undefined,
		'open' | 'answered' | 'revoked'
	>;
	endorsement_id: number | null;
	created_at: CreatedAt;
}

/** The distinct words of listed profiles' names, kept by triggers on profile_search (typo search). */
export interface NameWordsTable {
	word: string;
	/** Listed profiles whose names hold the word. */
	holders: number;
}

export interface ProfileSearchTable {
	user_id: number;
	listed: boolean;
	document: unknown;
	name_vec: unknown;
	skills_vec: unknown;
	work_vec: unknown;
	bio_vec: unknown;
	name_text: string;
	skills_text: string;
	skill_ids: number[];
	location: string | null;
	availability: Availability;
	accepted_endorsements: number;
	endorsement_score: number;
	work_count: number;
	verified_accounts: number;
	evidence: number;
	/** Generated by the database from `evidence`: the score of a search without words. */
	evidence_rank: ColumnType<number, never, never>;
	// What a result shows, copied here so a page of results reads one table.
	handle: string;
	headline: string | null;
	bio_excerpt: string;
	avatar_etag: string | null;
	/** lower(name) of every skill, for skill filters without a lookup. */
	skill_keys: string[];
	/** What trust adds to evidence_rank: above every untrusted profile when the band is not 'none'. */
	trust_rank: number;
	trust_band: TrustBand;
	trusted_groups: number;
}

export type TrustBand = 'strong' | 'some' | 'none';
export type SeedKind = 'trusted' | 'identity';

export interface ServerSecretsTable {
	name: string;
	value: string;
}

export interface TrustedMembersTable {
	user_id: number;
	reason: string;
	marked_by: number | null;
	created_at: CreatedAt;
}

export interface TrustRunsTable {
	id: Generated<number>;
	version: string;
	reason: string;
	started_at: Timestamp;
	finished_at: Timestamp | null;
	nodes: number;
	edges: number;
	seeds: number;
	clusters: number;
	changed: number;
	ms: number;
}

export interface TrustClustersTable {
	id: number;
	size: number;
	reasons: string[];
	computed_at: Timestamp;
}

export interface TrustScoresTable {
	user_id: number;
	score: number;
	inflow: number;
	rank: number;
	band: TrustBand;
	seed_kind: SeedKind | null;
	cluster_id: number | null;
	trusted_endorsers: number;
	algorithm_version: string;
	computed_at: Timestamp;
}

export interface ShortlistsTable {
	id: Generated<number>;
	owner_id: number;
	name: string;
	created_at: CreatedAt;
}

export interface ShortlistEntriesTable {
	shortlist_id: number;
	profile_id: number;
	note: ColumnType<string, string | undefined, string>;
	created_at: CreatedAt;
}

export interface ConversationsTable {
	id: Generated<number>;
	sender_id: number;
	recipient_id: number;
	subject: string;
	status: ColumnType<'open' | 'declined', 'open' | 'declined' | undefined, 'open' | 'declined'>;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface ConversationMessagesTable {
	id: Generated<number>;
	conversation_id: number;
	author_id: number;
	body: string;
	created_at: Timestamp;
	hidden_at: Timestamp | null;
}

export interface SearchAppearancesTable {
	user_id: number;
	day: string;
	appearances: number;
}

export type ReportTargetKind = 'profile' | 'endorsement' | 'message';
export type ReportCategory = 'spam' | 'rules' | 'other';

export interface ReportsTable {
	id: Generated<number>;
	reporter_id: number;
	target_kind: ReportTargetKind;
	target_id: number;
	account_id: number | null;
	category: ReportCategory;
	comment: ColumnType<string, string | undefined, string>;
	snapshot: ColumnType<Record<string, unknown>, string, string>;
	status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
	resolution: string | null;
	resolved_by: number | null;
	resolved_at: Timestamp | null;
	created_at: CreatedAt;
}

export type RegistrationMode = 'open' | 'approval' | 'closed';

export interface InstanceSettingsTable {
	id: ColumnType<number, number | undefined, never>;
	name: string;
	description: ColumnType<string, string | undefined, string>;
	contact_email: ColumnType<string, string | undefined, string>;
	rules_md: ColumnType<string, string | undefined, string>;
	registration: ColumnType<RegistrationMode, RegistrationMode | undefined, RegistrationMode>;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface InvitesTable {
	id: Generated<number>;
	code: string;
	note: ColumnType<string, string | undefined, string>;
	max_uses: number;
	uses: ColumnType<number, number | undefined, number>;
	expires_at: Timestamp | null;
	revoked_at: Timestamp | null;
	created_by: number | null;
	created_at: CreatedAt;
}

/** Append-only: the database refuses UPDATE and DELETE. */
export interface AuditLogTable {
	id: Generated<number>;
	actor_id: number | null;
	actor_label: string;
	action: string;
	target_kind: string;
	target_id: number | null;
	target_label: ColumnType<string, string | undefined, never>;
	reason: ColumnType<string, string | undefined, never>;
	metadata: ColumnType<Record<string, unknown>, string | undefined, never>;
	created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface DataExportsTable {
	id: Generated<number>;
	user_id: number;
	requested_at: CreatedAt;
	/** Set when the zip started streaming: one download a day. */
	downloaded_at: Timestamp | null;
}

export interface Database {
	users: UsersTable;
	sessions: SessionsTable;
	email_verification_tokens: TokensTable;
	password_reset_tokens: TokensTable;
	rate_limit_buckets: RateLimitBucketsTable;
	outbox: OutboxTable;
	known_devices: KnownDevicesTable;
	profiles: ProfilesTable;
	avatars: AvatarsTable;
	skills: SkillsTable;
	profile_skills: ProfileSkillsTable;
	work_items: WorkItemsTable;
	work_item_skills: WorkItemSkillsTable;
	work_media: WorkMediaTable;
	media_objects: MediaObjectsTable;
	media_deletions: MediaDeletionsTable;
	work_embeds: WorkEmbedsTable;
	network_accounts: NetworkAccountsTable;
	network_account_checks: NetworkAccountChecksTable;
	link_previews: LinkPreviewsTable;
	handle_history: HandleHistoryTable;
	profile_views: ProfileViewsTable;
	og_images: OgImagesTable;
	endorsements: EndorsementsTable;
	endorsement_skills: EndorsementSkillsTable;
	endorsement_reports: EndorsementReportsTable;
	endorsement_submissions: EndorsementSubmissionsTable;
	endorsement_requests: EndorsementRequestsTable;
	profile_search: ProfileSearchTable;
	name_words: NameWordsTable;
	shortlists: ShortlistsTable;
	shortlist_entries: ShortlistEntriesTable;
	conversations: ConversationsTable;
	conversation_messages: ConversationMessagesTable;
	search_appearances: SearchAppearancesTable;
	server_secrets: ServerSecretsTable;
	trusted_members: TrustedMembersTable;
	trust_runs: TrustRunsTable;
	trust_clusters: TrustClustersTable;
	trust_scores: TrustScoresTable;
	reports: ReportsTable;
	instance_settings: InstanceSettingsTable;
	invites: InvitesTable;
	audit_log: AuditLogTable;
	data_exports: DataExportsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type Profile = Selectable<ProfilesTable>;
export type ProfileUpdate = Updateable<ProfilesTable>;
export type WorkItem = Selectable<WorkItemsTable>;
export type NewWorkItem = Insertable<WorkItemsTable>;
export type WorkMedia = Selectable<WorkMediaTable>;
export type WorkEmbed = Selectable<WorkEmbedsTable>;
export type NetworkAccount = Selectable<NetworkAccountsTable>;
export type NetworkAccountCheck = Selectable<NetworkAccountChecksTable>;
export type LinkPreview = Selectable<LinkPreviewsTable>;
