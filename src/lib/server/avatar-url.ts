export type AvatarSize = 'large' | 'small';

/** Where an avatar is served: stable per person, with a version that changes with the image. */
export function avatarUrl(userId: number, etag: string | null, size: AvatarSize = 'large'): string {
	return etag ? `/avatars/${userId}/${size}.webp?v=${etag}` : `/avatars/${userId}/${size}.svg`;
}
