import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

/** Every item of every output, with the output index it came out of. */
export function allItems(outputs: INodeExecutionData[][] | undefined): Array<{ output: number; item: INodeExecutionData }> {
	return (outputs ?? []).flatMap((items, output) => (items ?? []).map((item) => ({ output, item })));
}

/** pairedItem indexes per output, sorted: lets a test check "each input on exactly one output". */
export function pairedIndexes(outputs: INodeExecutionData[][] | undefined): number[] {
	return allItems(outputs)
		.map(({ item }) => {
			const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
			return typeof paired === 'number' ? paired : (paired?.item ?? -1);
		})
		.sort((a, b) => a - b);
}

export const DEMO_KEY = 'sk_live_demo_active_0000000000000000';
export const DEMO_FIREBASE_TOKEN = 'firebase-demo-id-token';

/** Both Soku credentials, pointing at a stand-in with the default seed. */
export function demoCredentials(baseUrl: string) {
	return {
		sokuApi: { apiKey: DEMO_KEY, baseUrl },
		sokuAccountApi: { idToken: DEMO_FIREBASE_TOKEN, baseUrl },
	};
}

/** Post › Create of each item's `text` to X (the default account), plus any other parameters (options, retry). */
export function textPostParameters(extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'post',
		operation: 'create',
		mediaType: 'text',
		text: '={{ $json.text }}',
		targets: { target: [{ platform: 'x', accountId: '' }] },
		...extra,
	};
}
