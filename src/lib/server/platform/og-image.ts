import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import satori, { type Font } from 'satori';
import { getInitials, pickPlaceholderColour } from '#lib/server/platform/images.js';

export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

export interface OgProfile {
	name: string;
	handle: string;
	headline: string | null;
	skills: string[];
	avatarPng: Uint8Array | null;
	siteName?: string;
	// The seed of the initials circle's colour (the user id); else the handle.
	placeholderSeed?: string | number;
}

const BRAND = '#0f766e';
const INK = '#0f172a';
const MUTED = '#475569';
const BACKGROUND = '#f8fafc';
const AVATAR_SIZE = 232;
const MAX_SKILLS = 5;
const CHIP_LINE_HEIGHT = 30;
const CHIP_PADDING = 8;
const CHIP_HEIGHT = CHIP_LINE_HEIGHT + CHIP_PADDING * 2;
const CHIP_GAP = 10;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// The subsets people's names are most often written in; other scripts render as empty glyph boxes.
const FONT_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'greek', 'vietnamese'];
const FONT_WEIGHTS = [400, 700] as const;

type Style = Record<string, string | number>;
type OgChild = OgNode | string;
type OgNode = {
	type: string;
	props: { style: Style; children?: OgChild | OgChild[]; [attribute: string]: unknown };
};

let fontsPromise: Promise<Font[]> | undefined;

export async function renderOgImage(profile: OgProfile): Promise<Uint8Array> {
	const svg = await satori(buildCard(profile), {
		width: OG_WIDTH,
		height: OG_HEIGHT,
		fonts: await loadFonts()
	});
	// renderAsync rasterises on libuv's thread pool, so a share image never stalls other requests.
	const rendered = await renderAsync(svg, {
		fitTo: { mode: 'width', value: OG_WIDTH },
		font: { loadSystemFonts: false }
	});
	return rendered.asPng();
}

function loadFonts(): Promise<Font[]> {
	fontsPromise ??= readFonts().catch((error: unknown) => {
		fontsPromise = undefined;
		throw error;
	});
	return fontsPromise;
}

async function readFonts(): Promise<Font[]> {
	const variants = FONT_SUBSETS.flatMap((subset) =>
		FONT_WEIGHTS.map((weight) => ({
			// Satori keeps one font per family, weight and style, so each subset needs its own family.
			name: subset === 'latin' ? 'Inter' : `Inter ${subset}`,
			file: `inter-${subset}-${weight}-normal.woff`,
			weight
		}))
	);
	return Promise.all(
		variants.map(async ({ name, file, weight }) => ({
			name,
			data: await readFile(resolveFontPath(file)),
			weight,
			style: 'normal' as const
		}))
	);
}

function resolveFontPath(file: string): string {
	try {
		return createRequire(import.meta.url).resolve(`@fontsource/inter/files/${file}`);
	} catch {
		// A bundled chunk deployed away from node_modules; the app always starts in the project root.
		return path.resolve(process.cwd(), 'node_modules/@fontsource/inter/files', file);
	}
}

function buildCard(profile: OgProfile): OgNode {
	const siteName = profile.siteName?.trim() || 'Proofwork';
	const headline = profile.headline?.trim();
	const skills = profile.skills
		.map((skill) => skill.trim())
		.filter((skill) => skill.length > 0)
		.slice(0, MAX_SKILLS);

	const details: OgChild[] = [
		element('div', { ...clampedText(2), fontSize: 60, fontWeight: 700, lineHeight: 1.1 }, [
			profile.name.trim() || profile.handle
		]),
		element('div', { ...clampedText(1), marginTop: 8, fontSize: 32, color: BRAND }, [
			`@${profile.handle}`
		])
	];
	if (headline) {
		details.push(
			element(
				'div',
				{ ...clampedText(3), marginTop: 18, fontSize: 32, lineHeight: 1.3, color: '#334155' },
				[headline]
			)
		);
	}
	if (skills.length > 0) {
		details.push(
			element(
				'div',
				{
					display: 'flex',
					flexWrap: 'wrap',
					gap: CHIP_GAP,
					marginTop: 24,
					// Exactly two rows, so a third row of chips is hidden whole rather than sliced.
					maxHeight: CHIP_HEIGHT * 2 + CHIP_GAP,
					overflow: 'hidden'
				},
				skills.map(renderSkillChip)
			)
		);
	}

	return element(
		'div',
		{
			display: 'flex',
			flexDirection: 'column',
			width: OG_WIDTH,
			height: OG_HEIGHT,
			backgroundColor: BACKGROUND,
			color: INK,
			fontFamily: 'Inter',
			lineHeight: 1.25
		},
		[
			element('div', { display: 'flex', height: 14, backgroundColor: BRAND }),
			element(
				'div',
				{
					display: 'flex',
					flexGrow: 1,
					alignItems: 'center',
					gap: 56,
					padding: '32px 72px',
					overflow: 'hidden'
				},
				[
					renderAvatar(profile),
					element(
						'div',
						{ display: 'flex', flexDirection: 'column', flexGrow: 1, flexShrink: 1, minWidth: 0 },
						details
					)
				]
			),
			element(
				'div',
				{
					display: 'flex',
					alignItems: 'center',
					height: 92,
					padding: '0 72px',
					borderTop: '2px solid #e2e8f0',
					fontSize: 28,
					color: MUTED
				},
				[
					element('div', { ...clampedText(1), fontWeight: 700, color: BRAND }, [siteName]),
					element('div', { display: 'block', whiteSpace: 'pre' }, [' · proof of work, not paper'])
				]
			)
		]
	);
}

function renderAvatar(profile: OgProfile): OgNode {
	const frame: Style = {
		display: 'flex',
		flexShrink: 0,
		width: AVATAR_SIZE,
		height: AVATAR_SIZE,
		borderRadius: '50%',
		border: '6px solid #ffffff',
		boxShadow: '0 8px 24px rgba(15, 23, 42, 0.18)'
	};
	if (profile.avatarPng && isPng(profile.avatarPng)) {
		const src = `data:image/png;base64,${Buffer.from(profile.avatarPng).toString('base64')}`;
		return {
			type: 'img',
			props: {
				src,
				width: AVATAR_SIZE,
				height: AVATAR_SIZE,
				style: { ...frame, objectFit: 'cover' }
			}
		};
	}
	return element(
		'div',
		{
			...frame,
			alignItems: 'center',
			justifyContent: 'center',
			backgroundColor: pickPlaceholderColour(profile.placeholderSeed ?? profile.handle),
			color: '#ffffff',
			fontSize: 88,
			fontWeight: 700
		},
		[getInitials(profile.name.trim() || profile.handle)]
	);
}

function renderSkillChip(skill: string): OgNode {
	return element(
		'div',
		{
			...clampedText(1),
			maxWidth: 340,
			padding: `${CHIP_PADDING}px 20px`,
			borderRadius: CHIP_HEIGHT / 2,
			backgroundColor: '#ccfbf1',
			color: '#115e59',
			fontSize: 24,
			lineHeight: `${CHIP_LINE_HEIGHT}px`,
			fontWeight: 700
		},
		[skill]
	);
}

// Text in a block box so satori can wrap it and end the last visible line with an ellipsis.
function clampedText(lines: number): Style {
	return lines === 1
		? { display: 'block', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }
		: { display: 'block', overflow: 'hidden', lineClamp: lines, overflowWrap: 'anywhere' };
}

function element(type: string, style: Style, children?: OgChild[]): OgNode {
	return { type, props: { style, children } };
}

function isPng(bytes: Uint8Array): boolean {
	return PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}
