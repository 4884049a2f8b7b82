import { buildRenderBody, renderProperties } from '../common/render';
import type { SokuOperation } from '../types';

export const renderTemplate: SokuOperation = {
	id: 'renderTemplate',
	resource: 'template',
	operation: 'render',
	name: 'Render',
	action: 'Render a template',
	description: 'Render a saved image template (e.g. an Open Graph or post image) to a hosted PNG',
	properties: renderProperties,
	build(itemIndex) {
		return { operation: 'renderTemplate', path: '/v1/templates', body: buildRenderBody.call(this, itemIndex) };
	},
};
