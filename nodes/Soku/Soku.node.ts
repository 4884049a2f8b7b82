import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { SokuV1 } from './V1/SokuV1';
import { SokuV2 } from './V2/SokuV2';

/**
 * Versions differ only in their output layout: n8n stores wires by output index, so a layout change is a
 * new version and workflows saved with version 1 keep theirs.
 */
export class Soku extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Soku',
			name: 'soku',
			icon: { light: 'file:soku.svg', dark: 'file:soku.dark.svg' },
			group: ['output'],
			// A dry run is marked on the canvas: the node looks like any other otherwise.
			subtitle: '={{($parameter["options"] && $parameter["options"]["dryRun"] === true ? "[DRY RUN] " : "") + $parameter["operation"] + ": " + $parameter["resource"]}}',
			description:
				'Publish and schedule posts to TikTok, Instagram, YouTube, Threads and more with Soku; every Soku error code is its own output',
			defaultVersion: 2,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new SokuV1(baseDescription),
			2: new SokuV2(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
