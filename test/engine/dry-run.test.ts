/**
 * Options › Dry Run through n8n's engine against the stand-in: every writing operation validates as in a
 * real run, builds the request a real run would send (the same Idempotency-Key, the same body), and sends
 * nothing: 0 requests reach Soku, valid items come out on Success with dryRun: true and the request,
 * invalid ones on validation_error, the API key appears nowhere, and no pacing slot is used.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { pacingRegistry } from '../../nodes/Soku/actions/router';
import { ENDPOINTS } from '../../nodes/Soku/transport/endpoints';
import type { OperationId } from '../../nodes/Soku/errors/errorTable';
import { SOKU_TOOL_TYPE, engineOutputNames, runSoku, type RunSokuOptions } from '../helpers/engine';
import { useFakeRuntime } from '../helpers/fakeRuntime';
import { allItems, DEMO_FIREBASE_TOKEN, DEMO_KEY, demoCredentials, pairedIndexes } from '../helpers/items';
import { VALID_PARAMETERS } from '../helpers/validParams';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const POST: INodeParameters = {
	resource: 'post',
	operation: 'create',
	mediaType: 'text',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: 'x', accountId: '' }, { platform: 'threads', accountId: '' }] },
};
const DRY = { dryRun: true };
/** Valid, invalid (a text post without text), valid. */
const MIXED = [{ text: 'Launch day' }, { text: '' }, { text: 'Second post' }];

let standIn: SokuStandIn;
beforeEach(async () => {
	pacingRegistry.clear();
	standIn = await startStandIn({});
});
afterEach(async () => {
	await standIn.close();
});

const dryRun = async (parameters: INodeParameters, items: IDataObject[], extra: Partial<RunSokuOptions> = {}) =>
	await runSoku({
		parameters: { ...parameters, options: { ...(parameters.options as IDataObject | undefined), ...DRY } },
		items,
		credentials: demoCredentials(standIn.url),
		typeVersion: 2,
		...extra,
	});

function expectNoKeyIn(value: unknown): void {
	const text = JSON.stringify(value);
	expect(text).not.toContain(DEMO_KEY);
	expect(text).not.toContain(DEMO_FIREBASE_TOKEN);
}

test('valid and invalid items: 0 requests, valid ones on Success with dryRun and the would-be request, the invalid one on validation_error', async () => {
	const result = await dryRun(POST, MIXED);
	expect(standIn.requests).toHaveLength(0);
	const names = engineOutputNames({ ...POST, options: DRY }, undefined, 2);
	const landed = allItems(result.outputs);
	expect(landed.map(({ output }) => names[output])).toEqual(['Success', 'Success', 'validation_error']);
	expect(pairedIndexes(result.outputs)).toEqual([0, 1, 2]);

	const [first, second] = result.outputs![0];
	expect(first.pairedItem).toEqual({ item: 0 });
	expect(second.pairedItem).toEqual({ item: 2 });
	expect(first.json).toEqual({
		dryRun: true,
		request: {
			method: 'POST',
			url: `${standIn.url}/v1/posts`,
			idempotencyKey: expect.stringMatching(/^n8n-[0-9a-f]{40}$/),
			body: { post: { content: { text: 'Launch day', mediaType: 'text', platform: ['x', 'threads'] } } },
		},
	});
	expect((first.json.request as IDataObject).idempotencyKey).not.toBe((second.json.request as IDataObject).idempotencyKey);

	const invalid = landed[2].item.json.sokuError as IDataObject;
	expect(invalid).toMatchObject({ code: 'validation_error', source: 'client', attempts: 0 });
	expect((invalid.details as IDataObject).field).toBe('post.content.text');

	expect(result.hints.map((h) => h.message)).toContain('Dry run: 2 items would have been sent; nothing was sent');
	// Nowhere in the whole execution (run data, hints, errors): the key stays in the credential.
	expectNoKeyIn(result.run);
});

test('the request a dry run shows is the one a real run then sends: same URL, Idempotency-Key and body', async () => {
	const shown = await dryRun(POST, MIXED);
	const real = await runSoku({ parameters: POST, items: MIXED, credentials: demoCredentials(standIn.url), typeVersion: 2 });
	expect(real.outputs![0]).toHaveLength(2);
	const sent = standIn.requests.filter((r) => r.path === '/v1/posts');
	expect(sent).toHaveLength(2);
	expect(
		shown.outputs![0].map((item) => item.json.request),
	).toEqual(
		sent.map((r) => ({ method: r.method, url: `${standIn.url}${r.path}`, idempotencyKey: r.headers['idempotency-key'], body: r.body })),
	);
	// Sent once, by the real run: the dry run left nothing Soku could replay.
	// Not replays of the dry run: nothing was stored by it (the stand-in marks only replays, so a fresh post says null).
	expect(real.outputs![0].map((item) => item.json.replayed)).toEqual([null, null]);
});

const WRITES = (Object.keys(ENDPOINTS) as OperationId[]).filter((id) => ENDPOINTS[id].method !== 'GET');

test.each(WRITES)('%s: nothing is sent and the Success item names the method and URL it would have used', async (id) => {
	const result = await dryRun(VALID_PARAMETERS[id], [{}]);
	expect(standIn.requests).toHaveLength(0);
	expect(result.outputs![0]).toHaveLength(1);
	const json = result.outputs![0][0].json;
	expect(json.dryRun).toBe(true);
	const request = json.request as IDataObject;
	expect(request.method).toBe(ENDPOINTS[id].method);
	expect(String(request.url)).toMatch(new RegExp(`^${standIn.url}${ENDPOINTS[id].path.replace(/\{\w+\}/, '[^/]+')}$`));
	expect(request.idempotencyKey === null).toBe(!ENDPOINTS[id].idempotencyKey);
	expect(result.hints.map((h) => h.message)).toContain('Dry run: 1 item would have been sent; nothing was sent');
	expectNoKeyIn(result.run);
});

test('a read (Get Many) is not a write: Dry Run does not apply and the list is fetched', async () => {
	const result = await dryRun(VALID_PARAMETERS.listRepurposeLinks, [{}]);
	expect(standIn.requests).toHaveLength(1);
	expect(result.outputs![0].every((item) => item.json.dryRun === undefined)).toBe(true);
	expect(result.hints.map((h) => h.message).join(' ')).not.toMatch(/Dry run/);
});

test('a wrong API key is fine: nothing is sent, so nothing is refused', async () => {
	const result = await dryRun(POST, MIXED.slice(0, 1), { credentials: { sokuApi: { apiKey: 'sk_live_wrong', baseUrl: standIn.url } } });
	expect(standIn.requests).toHaveLength(0);
	expect(result.outputs![0][0].json.dryRun).toBe(true);
	expect(JSON.stringify(result.run)).not.toContain('sk_live_wrong');
});

test('no credential selected at all: the request names Soku\'s default Base URL', async () => {
	const result = await dryRun(POST, MIXED.slice(0, 1), { credentials: {}, withoutCredentials: true });
	expect(result.run.status).toBe('success');
	expect((result.outputs![0][0].json.request as IDataObject).url).toBe('https://api.mysoku.io/v1/posts');
	// Without Dry Run the same node fails as n8n fails any node without its credential.
	const real = await runSoku({ parameters: POST, items: MIXED.slice(0, 1), credentials: {}, withoutCredentials: true, typeVersion: 2 });
	expect(real.run.status).toBe('error');
	expect(String(real.error?.message)).toMatch(/credentials/i);
});

test('only the other Soku credential selected (an API key operation on a node set up for posts): the dry run shows the default Base URL, no crash', async () => {
	const result = await dryRun(VALID_PARAMETERS.createApiKey, [{}], {
		credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: standIn.url } },
		nodeCredentials: { sokuApi: { id: 'cred-soku-1', name: 'Soku account' } },
	});
	expect(result.run.status).toBe('success');
	expect(result.outputs![0]).toHaveLength(1);
	expect((result.outputs![0][0].json.request as IDataObject).url).toBe(`https://api.mysoku.io${ENDPOINTS.createApiKey.path}`);
	expect(standIn.requests).toHaveLength(0);
});

test('an http:// Base URL is refused exactly as in a real run (validation_error naming baseUrl)', async () => {
	const result = await dryRun(POST, MIXED.slice(0, 1), { credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: 'http://api.example.com' } } });
	const names = engineOutputNames(POST, undefined, 2);
	const [routed] = allItems(result.outputs);
	expect(names[routed.output]).toBe('validation_error');
	expect(((routed.item.json.sokuError as IDataObject).details as IDataObject).field).toBe('baseUrl');
	expect(result.hints.map((h) => h.message)).toContain('Dry run: 0 items would have been sent; nothing was sent');
});

test('tool mode: the agent gets each would-be request, and the invalid item\'s sokuError, on its one output', async () => {
	const result = await dryRun(POST, MIXED, { nodeType: SOKU_TOOL_TYPE });
	expect(standIn.requests).toHaveLength(0);
	expect(result.outputs).toHaveLength(1);
	const [first, invalid, last] = result.outputs![0];
	expect(first.json).toMatchObject({ dryRun: true, request: { method: 'POST', body: { post: { content: { text: 'Launch day' } } } } });
	expect((invalid.json.sokuError as IDataObject).code).toBe('validation_error');
	expect(last.json).toMatchObject({ dryRun: true, request: { body: { post: { content: { text: 'Second post' } } } } });
	expect([first, invalid, last].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expectNoKeyIn(result.run);
});

test('Stop the Workflow: an invalid item stops the dry run as it would stop a real one', async () => {
	const result = await dryRun({ ...POST, errorRouting: 'stop' }, MIXED);
	expect(standIn.requests).toHaveLength(0);
	expect(result.run.status).toBe('error');
	expect(String(result.error?.message)).toMatch(/validation_error/);
});

test('a scheduledTime less than a minute ahead goes to validation_error, as in a real run', async () => {
	const soon = new Date(Date.now() + 10_000).toISOString();
	const result = await dryRun({ ...POST, additionalFields: { scheduledTime: soon } }, MIXED.slice(0, 1));
	expect(standIn.requests).toHaveLength(0);
	const [routed] = allItems(result.outputs);
	expect(((routed.item.json.sokuError as IDataObject).details as IDataObject).field).toBe('scheduledTime');
});

test('a dry run uses no pacing slot: 30 posts after a dry run of 30 are sent without waiting for the window', async () => {
	const fake = useFakeRuntime();
	try {
		const many = Array.from({ length: 30 }, (_, i) => ({ text: `paced #${i}` }));
		await dryRun(POST, many);
		expect(fake.sleeps).toEqual([]);
		const real = await runSoku({ parameters: POST, items: many, credentials: demoCredentials(standIn.url), typeVersion: 2 });
		expect(real.outputs![0]).toHaveLength(30);
		// Posts allow 30 per 60 s: had the dry run taken slots, the real run would have waited a window.
		expect(fake.sleeps).toEqual([]);
	} finally {
		fake.restore();
	}
});
