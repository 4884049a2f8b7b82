/**
 * The committed editor pictures (docs/*.png) are the ones docs/screenshots.json describes. The browser e2e
 * compares that description with the output shape of a real run; this test makes sure nobody replaced a
 * picture (or the description) without the other, so that comparison is about the pictures users see.
 */
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifest = require('../../scripts/n8n/screenshot-manifest') as {
	FILE: string;
	read(dir: string): { pictures?: Record<string, string> } | undefined;
	pictureDrift(dir: string, m: unknown): string[];
	shapeDrift(recorded: Record<string, unknown>, current: Record<string, unknown>): string[];
};

const DOCS = path.join(__dirname, '..', '..', 'docs');

test('every docs/*.png is the picture docs/screenshots.json was written with', () => {
	const recorded = manifest.read(DOCS);
	expect(recorded).toBeDefined();
	expect(Object.keys(recorded?.pictures ?? {}).length).toBeGreaterThan(0);
	expect(manifest.pictureDrift(DOCS, recorded)).toEqual([]);
});

test('a field the pictures show but the node no longer returns is reported by name', () => {
	const recorded = { outputs: ['Success'], itemsPerOutput: [1], successKeys: ['deliveries', 'postSubmissionId'], panelColumns: ['postSubmissionId', 'deliveries'] };
	const current = { outputs: ['Success'], itemsPerOutput: [1], successKeys: ['platforms', 'postSubmissionId'], panelColumns: ['postSubmissionId', 'platforms'] };
	expect(manifest.shapeDrift(recorded, current)).toEqual([
		'successKeys: pictures show ["deliveries","postSubmissionId"], the node now gives ["platforms","postSubmissionId"]',
		'panelColumns: pictures show ["postSubmissionId","deliveries"], the node now gives ["postSubmissionId","platforms"]',
	]);
	expect(manifest.shapeDrift(current, { ...current })).toEqual([]);
});
