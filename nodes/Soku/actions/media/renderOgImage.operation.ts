import { buildRenderBody, renderProperties } from '../common/render';
import type { SokuOperation } from '../types';

export const renderOgImage: SokuOperation = {
	id: 'renderOgAlias',
	resource: 'media',
	operation: 'renderOgImage',
	name: 'Render OG Image',
	action: 'Render an OG image',
	description: 'Render an image template to a hosted PNG through POST /v1/media/render-og (same as Template > Render)',
	properties: renderProperties,
	build(itemIndex) {
		return { operation: 'renderOgAlias', path: '/v1/media/render-og', body: buildRenderBody.call(this, itemIndex) };
	},
};
