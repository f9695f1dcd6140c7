export type AvatarSize = 'large' | 'small';

/** A person without a picture: one generic image for everyone, naming nobody and no account. */
export const AVATAR_PLACEHOLDER = '/avatar-placeholder.svg';

/**
 * Where an avatar is served: versioned by the picture's etag, a hash of it, which the route asks
 * for unless the profile is listed, so that walking ids finds no unlisted or private profile.
 */
export function avatarUrl(userId: number, etag: string | null, size: AvatarSize = 'large'): string {
	return etag ? `/avatars/${userId}/${size}.webp?v=${etag}` : AVATAR_PLACEHOLDER;
}
