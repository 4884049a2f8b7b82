import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ClientValidationError, optionalBoolean, optionalNumber } from '../../helpers/validation';

/** Return All / Limit, applied to the bare arrays Soku returns (it documents no pagination). */
export const listProperties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** How many rows to keep (undefined: all). Read in build too, so a bad Limit is refused before sending. */
export function listLimit(this: IExecuteFunctions, itemIndex: number): number | undefined {
	if (optionalBoolean(this.getNodeParameter('returnAll', itemIndex, true), 'returnAll', 'Return All') !== false) return undefined;
	const limit = optionalNumber(this.getNodeParameter('limit', itemIndex, 50), 'limit', 'Limit') ?? 50;
	if (limit < 1) throw new ClientValidationError('limit', 'invalid_value', `Limit must be 1 or more, got ${limit}`);
	return limit;
}

export function listToJson(this: IExecuteFunctions, body: unknown, itemIndex: number): IDataObject[] {
	const rows = Array.isArray(body) ? body : [];
	const all = rows.map((row) => (row !== null && typeof row === 'object' ? (row as IDataObject) : { value: row as string }));
	return all.slice(0, listLimit.call(this, itemIndex));
}

/** A DELETE answers 204 (or 200): say what happened instead of an empty item. */
export function deletedJson(id: string, body: unknown): IDataObject[] {
	const extra = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as IDataObject) : {};
	return [{ deleted: true, id, ...extra }];
}

export const INFERRED_NOTICE: INodeProperties = {
	displayName:
		"Soku's docs name this operation but do not show its HTTP details; the node uses the likely method and path. Treat it as experimental and check the result.",
	name: 'inferredNotice',
	type: 'notice',
	default: '',
};
