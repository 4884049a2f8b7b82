/**
 * The transport cannot leak the key: a redirect is not followed (the other origin never sees a request),
 * a Base URL that is not https:// (loopback excepted) is refused before anything is sent, and the node
 * and the credential test read the Base URL the same way (n8n's own expression code evaluates the test's).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import type { AddressInfo } from 'net';

import { Workflow, type IDataObject } from 'n8n-workflow';

import { SokuAccountApi } from '../../credentials/SokuAccountApi.credentials';
import { SokuApi } from '../../credentials/SokuApi.credentials';
import { baseUrlProblem, normaliseBaseUrl } from '../../nodes/Soku/transport/baseUrl';
import { engineOutputNames, nodeTypes, runSoku } from '../helpers/engine';
import { allItems, DEMO_KEY, demoCredentials } from '../helpers/items';
import { startStandIn } from '../stand-in/soku-stand-in';

const PARAMETERS = {
	resource: 'post',
	operation: 'create',
	mediaType: 'text',
	text: '={{ $json.text }}',
	targets: { target: [{ platform: 'x', accountId: '' }] },
};

interface Recorder {
	server: Server;
	url: string;
	requests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }>;
}

async function listen(handler: (res: import('http').ServerResponse) => void): Promise<Recorder> {
	const requests: Recorder['requests'] = [];
	const server = createServer((req, res) => {
		requests.push({ method: req.method, url: req.url, headers: req.headers });
		req.resume();
		handler(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const close = async (r: Recorder) => await new Promise<void>((resolve) => r.server.close(() => resolve()));

test('a 307 to another origin is not followed: the second server never receives the key, the item lands on Other Error', async () => {
	const other = await listen((res) => {
		res.writeHead(404, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ error: { code: 'not_found', type: 'invalid_request_error', message: 'Not found' } }));
	});
	// Another origin on loopback: "localhost" and another port.
	const otherOrigin = other.url.replace('127.0.0.1', 'localhost');
	const first = await listen((res) => {
		res.writeHead(307, { location: `${otherOrigin}/v1/posts?token=secret-path-part` });
		res.end();
	});
	try {
		const result = await runSoku({ parameters: PARAMETERS, items: [{ text: 'redirected' }], credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl: first.url } } });
		expect(first.requests).toHaveLength(1);
		expect(first.requests[0].headers['soku-api-key']).toBe(DEMO_KEY);
		expect(other.requests).toHaveLength(0);
		const names = engineOutputNames(PARAMETERS);
		const [routed] = allItems(result.outputs);
		expect(names[routed.output]).toBe('Other Error');
		const error = routed.item.json.sokuError as IDataObject;
		expect(error).toMatchObject({ code: 'http_307', httpStatus: 307, attempts: 1 });
		expect(error.message).toContain(new URL(otherOrigin).host);
		expect(error.message).toMatch(/307/);
		expect(JSON.stringify(routed.item.json)).not.toContain('secret-path-part');
		expect(JSON.stringify(routed.item.json)).not.toContain(DEMO_KEY);
	} finally {
		await close(first);
		await close(other);
	}
});

test.each(['http://api.example.com', 'http://127.0.0.2:1', 'ftp://api.mysoku.io', 'http://localhost@api.example.com'])(
	'Base URL %s: every item on validation_error naming baseUrl, 0 requests',
	async (baseUrl) => {
		const result = await runSoku({ parameters: PARAMETERS, items: [{ text: 'a' }, { text: 'b' }], credentials: { sokuApi: { apiKey: DEMO_KEY, baseUrl } } });
		const names = engineOutputNames(PARAMETERS);
		const routed = allItems(result.outputs);
		expect(routed).toHaveLength(2);
		for (const { output, item } of routed) {
			expect(names[output]).toBe('validation_error');
			const error = item.json.sokuError as IDataObject;
			expect(error).toMatchObject({ source: 'client', attempts: 0, details: { field: 'baseUrl', reason: 'must_use_https' } });
			expect(error.message).toMatch(/must start with https:\/\//);
		}
	},
);

test('Base URL rule: https anywhere, http only on loopback', () => {
	for (const ok of ['https://api.mysoku.io', 'https://x.cloudfunctions.net/api', 'http://localhost:5678', 'http://127.0.0.1:1', 'http://[::1]:80', 'HTTPS://API.MYSOKU.IO']) {
		expect(baseUrlProblem(normaliseBaseUrl(ok))).toBeUndefined();
	}
	for (const bad of ['http://api.example.com', 'http://localhost.evil.com', 'http://127.0.0.1.nip.io', 'api.mysoku.io', 'https://', 'javascript:alert(1)']) {
		expect(baseUrlProblem(normaliseBaseUrl(bad))).toMatch(/must start with https:\/\//);
	}
});

/** Evaluates a credential-test request field the way n8n does (its expression code, $credentials set). */
function evaluate(expression: string | undefined, baseUrl: unknown): unknown {
	const workflow = new Workflow({ nodes: [{ id: 'n', name: 'N', type: 'n8n-nodes-soku.soku', typeVersion: 1, position: [0, 0], parameters: {} }], connections: {}, active: false, nodeTypes });
	return workflow.expression.getParameterValue(expression ?? '', null, 0, 0, 'N', [], 'internal', { $credentials: { baseUrl } });
}

const INPUTS = ['https://api.mysoku.io', 'https://api.mysoku.io/', 'https://api.mysoku.io/v1', 'https://api.mysoku.io/v1/', ' https://x.example/api/v1// ', 'http://127.0.0.1:5678/v1/', 'http://localhost:1/', 'http://api.example.com', 'http://api.example.com/v1/', '', 'ftp://x'];

test.each([new SokuApi(), new SokuAccountApi()].map((c) => [c.name, c] as const))('credential test (%s) normalises the Base URL like the node and refuses the same ones', (_name, credential) => {
	const request = credential.test!.request;
	expect(request.disableFollowRedirect).toBe(true);
	for (const input of INPUTS) {
		const baseURL = evaluate(request.baseURL, input);
		const allowed = evaluate(request.allowedDomains, input);
		const problem = baseUrlProblem(normaliseBaseUrl(input));
		if (problem) {
			// Nothing can reach a .invalid host, and n8n 2.x refuses it earlier with the rule in its message.
			expect(new URL(String(baseURL)).hostname.endsWith('.invalid')).toBe(true);
			expect(String(allowed)).toMatch(/must start with https:\/\//);
		} else {
			expect(baseURL).toBe(normaliseBaseUrl(input));
			expect(allowed).toBeUndefined();
		}
	}
});

test('https://…/v1/ pasted into the credential: the node reaches Soku', async () => {
	const standIn = await startStandIn();
	try {
		const credentials = demoCredentials(`${standIn.url}/v1/`);
		const result = await runSoku({ parameters: PARAMETERS, items: [{ text: 'v1 pasted' }], credentials });
		expect(result.outputs![0]).toHaveLength(1);
		expect(standIn.requests.map((r) => r.path)).toEqual(['/v1/posts']);
	} finally {
		await standIn.close();
	}
});
