/**
 * What a user gets when adding an option in the editor is the node description's `default`, not the
 * code's fallback for a missing value. These tests read the defaults from the node as n8n loads it (the
 * esbuild bundle of package.json's n8n.nodes entry, built here with the options `npm run build` uses)
 * and compare them with the README's Retry policy and Options tables, both ways: every option is in its
 * table, every table row is an option, and each default is the one the README states.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { IDataObject, INodeProperties, INodeTypeDescription, IVersionedNodeType } from 'n8n-workflow';

import { readRetrySettings } from '../../nodes/Soku/actions/router';

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The node's descriptions per version, from a fresh bundle (what dist/ would hold after `npm run build`). */
function builtDescriptions(): INodeTypeDescription[] {
	/* eslint-disable @typescript-eslint/no-require-imports -- a bundle built at test time is loaded like n8n loads it */
	const esbuild = require('esbuild') as typeof import('esbuild');
	const { bundleOptions } = require(path.join(ROOT, 'scripts', 'bundle-node.js')) as { bundleOptions: import('esbuild').BuildOptions };
	const pkg = require(path.join(ROOT, 'package.json')) as { n8n: { nodes: string[] } };
	// Inside the repository, so the bundle's external require('n8n-workflow') resolves as it does in n8n.
	fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
	const outdir = fs.mkdtempSync(path.join(ROOT, '.cache', 'built-description-'));
	try {
		const entry = pkg.n8n.nodes[0];
		esbuild.buildSync({ ...bundleOptions, entryPoints: [entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')], outdir, metafile: false });
		const file = path.join(outdir, entry.replace(/^dist\//, ''));
		const exported = require(file) as Record<string, new () => IVersionedNodeType>;
		/* eslint-enable @typescript-eslint/no-require-imports */
		const node = new exported[path.basename(file, '.node.js')]();
		return Object.values(node.nodeVersions).map((v) => v.description);
	} finally {
		fs.rmSync(outdir, { recursive: true, force: true });
	}
}

/** A README table's rows (first column → second column), found by its header line. */
function readmeTable(header: string): Map<string, string> {
	const start = README.indexOf(header);
	if (start === -1) throw new Error(`README has no table starting "${header}"`);
	const rows = new Map<string, string>();
	for (const line of README.slice(start).split('\n').slice(2)) {
		if (!line.startsWith('|')) break;
		const [name, value] = line.split('|').slice(1, 3).map((cell) => cell.trim());
		// "Initial / Max Backoff (Seconds)" with "1 / 30" is two settings in one row.
		const combined = /^(\w+) \/ (\w+) (.+)$/.exec(name);
		if (combined && value.includes(' / ')) {
			const [a, b] = value.split(' / ');
			rows.set(`${combined[1]} ${combined[3]}`, a);
			rows.set(`${combined[2]} ${combined[3]}`, b);
		} else rows.set(name, value);
	}
	return rows;
}

/** How the README writes a default: booleans on/off, an empty string as "empty …", numbers as numbers. */
function readmeValue(value: unknown): string {
	if (value === true) return 'on';
	if (value === false) return 'off';
	if (value === '') return 'empty';
	return String(value);
}

const collection = (description: INodeTypeDescription, name: string) =>
	(description.properties.find((p) => p.name === name)?.options ?? []) as INodeProperties[];

const descriptions = builtDescriptions();

test('the built node has both versions', () => {
	expect(descriptions.map((d) => d.version)).toEqual([1, 2]);
});

describe.each(descriptions.map((d) => [d.version, d] as const))('node version %s', (_version, description) => {
	test.each([
		['retry', '| Setting | Default | Meaning |'],
		['options', '| Option | Default | Operations | What it does |'],
	])('every %s option\'s editor default is the README\'s, and the table lists exactly those options', (name, header) => {
		const table = readmeTable(header);
		const options = collection(description, name);
		expect(options.length).toBeGreaterThan(0);
		expect([...table.keys()].sort()).toEqual(options.map((o) => o.displayName).sort());
		for (const option of options) {
			const documented = table.get(option.displayName) as string;
			// "empty (derived)": the README may say what empty means after the word.
			expect({ option: option.displayName, default: documented.split(' (')[0] }).toEqual({ option: option.displayName, default: readmeValue(option.default) });
		}
	});

	test('adding a Retry option in the editor changes nothing: its default is what the node does without it', () => {
		const editorDefaults: IDataObject = Object.fromEntries(collection(description, 'retry').map((o) => [o.name, o.default]));
		expect(readRetrySettings(editorDefaults)).toEqual(readRetrySettings({}));
	});
});
