// Click-to-load players for videos and posts on work pages (EmbedCard.svelte): the provider's
// iframe, and with it any script or cookie of theirs, loads only once the visitor asks for it.
// Without JavaScript the same link opens the original. CSP frame-src limits where it may point.
document.addEventListener('click', (event) => {
	const target = event.target instanceof Element ? event.target : null;
	const link = target?.closest('a[data-embed-player]');
	if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
	event.preventDefault();
	const frame = document.createElement('iframe');
	frame.src = link.getAttribute('data-embed-player');
	frame.title = link.getAttribute('data-embed-title') || 'Video player';
	frame.allow = 'autoplay; encrypted-media; fullscreen; picture-in-picture';
	frame.allowFullscreen = true;
	frame.referrerPolicy = 'strict-origin-when-cross-origin';
	frame.className = 'aspect-video w-full h-auto border-0 block';
	link.replaceWith(frame);
	frame.focus();
});
