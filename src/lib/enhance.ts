import type { SubmitFunction } from '$app/forms';

/**
 * use:enhance for forms that add something and then redirect: SvelteKit resets a form only on a
 * `success` result, so without this the added entry stays typed in and a second click adds it twice.
 */
export const resetAfterRedirect: SubmitFunction = () => {
	return async ({ result, update, formElement }) => {
		await update();
		if (result.type === 'redirect') formElement.reset();
	};
};
