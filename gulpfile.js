// Copies the node and credential icons (and the node's codex .json) next to the compiled JavaScript: n8n resolves `file:soku.svg`
// relative to the .node.js / .credentials.js file it loads from dist/.
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports['build:icons'] = buildIcons;
