import {
	describeSummary,
	summariseProvenance,
	trustBandOf,
	type TrustStanding
} from '#lib/server/endorsements/provenance.js';
import type { Executor } from '#lib/server/db/connect.js';
import type { Availability, Visibility } from '#lib/server/db/schema.js';
import { avatarUrl } from '#lib/server/avatar-url.js';
import {
	listPublicEndorsements,
	type PublicEndorsementView
} from '#lib/server/endorsements/views.js';
import { renderMarkdown, markdownToText } from '#lib/server/platform/markdown.js';
import { listAccounts, type AccountView } from '#lib/server/network-accounts.js';
import { AVAILABILITY_LABELS, getOwnProfile, isListed } from '#lib/server/profiles.js';
import { resolveHandle } from '#lib/server/handles.js';
import { listProfileSkills } from '#lib/server/skills.js';
import { listWork, type WorkWithSkills } from '#lib/server/work.js';
import { listPreviews, type PreviewView } from '#lib/server/link-previews.js';
import { reachHistory } from '#lib/server/verification.js';
import { listWorkPictures, type Picture } from '#lib/server/work-media.js';
import { listEmbeds } from '#lib/server/embeds/work-embeds.js';

// How far back the follower trend next to a verified count reaches.
const TREND_DAYS = 90;

export interface PublicWork extends Omit<WorkWithSkills, 'case_study_md'> {
	domain: string | null;
	hasCaseStudy: boolean;
	preview: PreviewView | null;
	cover: Picture | null;
	galleryCount: number;
	/** The sites of its videos and posts, e.g. ['YouTube', 'TikTok'], for the card's media kind. */
	embedKinds: string[];
}

export interface PublicAccount extends AccountView {
	/** Follower counts read from the network, oldest first. */
	trend: { at: Date; followers: number }[];
}

export interface PublicProfile {
	userId: number;
	handle: string;
	name: string;
	displayName: string | null;
	headline: string | null;
	bioHtml: string;
	bioText: string;
	location: string | null;
	availability: Availability;
	availabilityLabel: string;
	visibility: Visibility;
	listed: boolean;
	allowContact: boolean;
	avatar: { large: string; small: string; uploaded: boolean };
	skills: string[];
	work: PublicWork[];
	accounts: PublicAccount[];
	/** Accepted endorsements only: pending and hidden ones never leave the owner's inbox. */
	endorsements: PublicEndorsementView[];
	/** The trust band and who carries it, and the endorsements summed up by where they come from. */
	trust: TrustStanding & { provenance: string[] };
	updatedAt: Date;
}

export type ProfileLookup =
	| { kind: 'found'; profile: PublicProfile; isOwner: boolean }
	| { kind: 'moved'; handle: string }
	| { kind: 'missing' };

export function domainOf(url: string | null): string | null {
	if (!url) return null;
	try {
		return new URL(url).hostname.replace(/^www\./, '');
	} catch {
		return null;
	}
}

export async function buildPublicProfile(
	db: Executor,
	userId: number
): Promise<PublicProfile | undefined> {
	const own = await getOwnProfile(db, userId);
	if (!own) return undefined;
	const [skills, work, accounts, endorsements, band] = await Promise.all([
		listProfileSkills(db, userId),
		listWork(db, userId),
		listAccounts(db, userId),
		listPublicEndorsements(db, userId),
		trustBandOf(db, userId)
	]);
	const carriedBy = [
		...new Set(
			endorsements.flatMap((e) =>
				e.provenance.kind === 'vouched' && !e.endorser.private ? [e.endorser.name] : []
			)
		)
	].slice(0, 3);
	const since = new Date(Date.now() - TREND_DAYS * 86_400_000);
	const [previews, trends, pictures, embeds] = await Promise.all([
		listPreviews(
			db,
			work.filter((w) => w.url).map((w) => w.id)
		),
		reachHistory(
			db,
			accounts.filter((a) => a.verification_status === 'verified').map((a) => a.id),
			since
		),
		listWorkPictures(
			db,
			work.map((w) => w.id)
		),
		listEmbeds(
			db,
			work.map((w) => w.id)
		)
	]);
	return {
		userId,
		handle: own.handle,
		name: own.displayName ?? own.handle,
		displayName: own.displayName,
		headline: own.headline,
		bioHtml: renderMarkdown(own.bio),
		bioText: markdownToText(own.bio, 300),
		location: own.location,
		availability: own.availability,
		availabilityLabel: AVAILABILITY_LABELS[own.availability],
		visibility: own.visibility,
		listed: isListed(own),
		allowContact: own.allowContact,
		avatar: {
			large: avatarUrl(userId, own.avatarEtag, 'large'),
			small: avatarUrl(userId, own.avatarEtag, 'small'),
			uploaded: own.avatarEtag !== null
		},
		skills: skills.map((s) => s.name),
		work: work.map(({ case_study_md, ...item }) => ({
			...item,
			domain: domainOf(item.url),
			hasCaseStudy: case_study_md.trim() !== '',
			preview: previews.get(item.id) ?? null,
			cover: pictures.get(item.id)?.cover ?? null,
			galleryCount: pictures.get(item.id)?.gallery.length ?? 0,
			embedKinds: [...new Set((embeds.get(item.id) ?? []).map((e) => e.providerName))]
		})),
		accounts: accounts.map((account) => ({ ...account, trend: trends.get(account.id) ?? [] })),
		endorsements,
		trust: {
			band,
			carriedBy,
			provenance: describeSummary(summariseProvenance(endorsements))
		},
		updatedAt: own.updatedAt
	};
}

/** The whole profile at /@handle as `viewerId` may see it, for the profile page and its JSON Resume. */
export async function lookUpProfile(
	db: Executor,
	handle: string,
	viewerId: number | null
): Promise<ProfileLookup> {
	const found = await resolveHandle(db, handle, viewerId);
	if (found.kind !== 'found') return found;
	const profile = await buildPublicProfile(db, found.card.userId);
	return profile ? { kind: 'found', profile, isOwner: found.isOwner } : { kind: 'missing' };
}

/** Only what /@handle renders: the page's data is serialised on every request, so it stays small. */
export function toPageView(profile: PublicProfile) {
	return {
		userId: profile.userId,
		handle: profile.handle,
		name: profile.name,
		headline: profile.headline,
		bioHtml: profile.bioHtml,
		bioText: profile.bioText,
		location: profile.location,
		availability: profile.availability,
		availabilityLabel: profile.availabilityLabel,
		visibility: profile.visibility,
		listed: profile.listed,
		allowContact: profile.allowContact,
		avatar: profile.avatar,
		skills: profile.skills,
		version: profile.updatedAt.getTime().toString(36),
		work: profile.work.map((w) => ({
			id: w.id,
			title: w.title,
			url: w.url,
			domain: w.domain,
			role: w.role,
			outcome: w.outcome,
			happened_on: w.happened_on,
			pinned: w.pinned,
			slug: w.slug,
			hasCaseStudy: w.hasCaseStudy,
			skills: w.skills,
			preview: w.preview,
			cover: w.cover,
			galleryCount: w.galleryCount,
			embedKinds: w.embedKinds
		})),
		accounts: profile.accounts.map((a) => ({
			id: a.id,
			label: a.label,
			identifier: a.identifier,
			url: a.url,
			followers: a.followers,
			followers_reported_at: a.followers_reported_at,
			verification_status: a.verification_status,
			verified_at: a.verified_at,
			lapsed_at: a.lapsed_at,
			reach_followers: a.reach_followers,
			reach_checked_at: a.reach_checked_at,
			reach_source: a.reach_source,
			trend: a.trend
		})),
		endorsements: profile.endorsements.map((e) => ({
			id: e.id,
			relationshipLabel: e.relationshipLabel,
			organisation: e.organisation,
			period: e.period,
			body: e.body,
			createdAt: e.createdAt,
			work: e.work,
			skills: e.skills,
			endorser: e.endorser,
			mutual: e.mutual,
			provenance: e.provenance.kind
		})),
		trust: profile.trust
	};
}
export type ProfilePageView = ReturnType<typeof toPageView>;

export type PageLookup =
	| { kind: 'found'; profile: ProfilePageView; isOwner: boolean }
	| { kind: 'moved'; handle: string }
	| { kind: 'missing' };

export async function lookUpProfilePage(
	db: Executor,
	handle: string,
	viewerId: number | null
): Promise<PageLookup> {
	const found = await lookUpProfile(db, handle, viewerId);
	return found.kind === 'found' ? { ...found, profile: toPageView(found.profile) } : found;
}
