/**
 * n8n's own HTTP Request, Switch and Loop Over Items nodes for the side-by-side benchmark rows, loaded from the real n8n
 * that scripts/n8n/install-n8n.sh installs (pinned by lockfile to n8n 2.41.1, the version the e2e suite
 * runs). n8n-nodes-base cannot be a devDependency of this repo: its dependency tree downloads prebuilt
 * binaries and compiles native modules.
 *
 * Same engine: while these files load, `n8n-workflow` and `n8n-core` are resolved to this repo's copies
 * (the ones test/helpers/engine.ts runs), so the HTTP Request node's NodeApiError, expressions and
 * request helpers are the same classes and code the Soku node gets. The installed n8n has the same
 * versions (n8n-core 2.41.1, n8n-workflow 2.41.0); `load()` checks that and reports both.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { INodeType, IVersionedNodeType } from 'n8n-workflow';

import { REPO_ROOT } from './paths';

export const N8N_VERSION = '2.41.1';
export const N8N_DIR = path.join(process.env.N8N_E2E_DIR ?? path.join(os.homedir(), '.cache', 'n8n-e2e'), `n8n-${N8N_VERSION}`);
const STAMP = path.join(N8N_DIR, '.n8n-e2e-installed');
const NODES_BASE = path.join(N8N_DIR, 'node_modules', 'n8n-nodes-base');
const SHARED = ['n8n-workflow', 'n8n-core'];

export interface NodesBase {
	httpRequest: INodeType | IVersionedNodeType;
	switchNode: INodeType | IVersionedNodeType;
	/** Loop Over Items: how a user sends one item at a time through the HTTP Request node. */
	splitInBatches: INodeType | IVersionedNodeType;
	nodesBaseVersion: string;
	/** Versions in the installed n8n next to the ones this repo's engine uses (must match). */
	installed: Record<string, string>;
	project: Record<string, string>;
}

export type NodesBaseResult = { ok: true; value: NodesBase } | { ok: false; reason: string };

const versionIn = (dir: string, pkg: string) =>
	(JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** Installs n8n with the project's script when it is not there at all; a half-done install is left alone. */
function ensureInstalled(): string | undefined {
	if (fs.existsSync(STAMP)) return undefined;
	if (fs.existsSync(N8N_DIR)) {
		return `${N8N_DIR} exists but has no install stamp (an install is running or failed): run scripts/n8n/install-n8n.sh`;
	}
	process.stderr.write(`bench: n8n ${N8N_VERSION} not installed, running scripts/n8n/install-n8n.sh (a few minutes) …\n`);
	const r = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'n8n', 'install-n8n.sh')], {
		cwd: REPO_ROOT,
		stdio: ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, N8N_VERSION },
		timeout: 30 * 60_000,
	});
	return r.status === 0 && fs.existsSync(STAMP) ? undefined : `scripts/n8n/install-n8n.sh failed (exit ${r.status})`;
}

let cached: NodesBaseResult | undefined;

export function loadNodesBase(): NodesBaseResult {
	if (cached) return cached;
	const missing = ensureInstalled();
	if (missing) return (cached = { ok: false, reason: missing });
	const installed = Object.fromEntries(SHARED.map((p) => [p, versionIn(N8N_DIR, p)]));
	const project = Object.fromEntries(SHARED.map((p) => [p, versionIn(REPO_ROOT, p)]));
	const differs = SHARED.filter((p) => installed[p] !== project[p]);
	if (differs.length) {
		return (cached = {
			ok: false,
			reason: `installed n8n ${N8N_VERSION} has ${differs.map((p) => `${p} ${installed[p]}`).join(', ')}, the engine here ${differs.map((p) => `${p} ${project[p]}`).join(', ')}`,
		});
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const Module = require('module') as { _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string };
	const original = Module._resolveFilename;
	const projectResolve = (request: string) => require.resolve(request, { paths: [REPO_ROOT] });
	// Stays installed for the process: the nodes and their dependencies also require lazily while running.
	Module._resolveFilename = function (request, parent, ...rest) {
		const shared = SHARED.some((p) => request === p || request.startsWith(`${p}/`));
		if (shared && parent?.filename?.startsWith(N8N_DIR)) return projectResolve(request);
		return original.call(this, request, parent, ...rest);
	};
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { HttpRequest } = require(path.join(NODES_BASE, 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js')) as {
			HttpRequest: new () => IVersionedNodeType;
		};
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { Switch } = require(path.join(NODES_BASE, 'dist', 'nodes', 'Switch', 'Switch.node.js')) as { Switch: new () => IVersionedNodeType };
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { SplitInBatches } = require(path.join(NODES_BASE, 'dist', 'nodes', 'SplitInBatches', 'SplitInBatches.node.js')) as {
			SplitInBatches: new () => IVersionedNodeType;
		};
		cached = {
			ok: true,
			value: {
				httpRequest: new HttpRequest(),
				switchNode: new Switch(),
				splitInBatches: new SplitInBatches(),
				nodesBaseVersion: versionIn(N8N_DIR, 'n8n-nodes-base'),
				installed,
				project,
			},
		};
	} catch (error) {
		Module._resolveFilename = original;
		cached = { ok: false, reason: `loading n8n-nodes-base failed: ${(error as Error).message.split('\n')[0]}` };
	}
	return cached;
}
