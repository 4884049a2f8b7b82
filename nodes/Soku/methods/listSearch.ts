import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

/** Repurpose links for the "From List" picker, filtered by what the user types. */
export async function searchRepurposeLinks(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	// Loaded on first use, like the router (see Soku.node.ts).
	const [{ classify }, { getBaseUrl, sendSokuRequest }] = await Promise.all([import('../errors/classify'), import('../transport')]);
	const baseUrl = await getBaseUrl(this, 'sokuApi');
	const result = await sendSokuRequest(this, baseUrl, { operation: 'listRepurposeLinks', path: '/v1/repurposeLinks' }, 30_000);
	const classified = classify(result, Date.now());
	if (!classified.ok) {
		throw new Error(`Soku could not list repurpose links: ${classified.error.code}: ${classified.error.message}`);
	}
	const links = (Array.isArray(classified.body) ? classified.body : []) as IDataObject[];
	const needle = (filter ?? '').toLowerCase();
	return {
		results: links
			.map((link) => ({
				name: `${String(link.platform ?? '?')} ${String(link.accountId ?? '')} → ${String(link.type ?? '')} (${String(link.id)})`,
				value: String(link.id),
			}))
			.filter((entry) => !needle || entry.name.toLowerCase().includes(needle)),
	};
}
