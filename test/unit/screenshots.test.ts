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
};

const DOCS = path.join(__dirname, '..', '..', 'docs');

test('every docs/*.png is the picture docs/screenshots.json was written with', () => {
	const recorded = manifest.read(DOCS);
	expect(recorded).toBeDefined();
	expect(Object.keys(recorded?.pictures ?? {}).length).toBeGreaterThan(0);
	expect(manifest.pictureDrift(DOCS, recorded)).toEqual([]);
});
